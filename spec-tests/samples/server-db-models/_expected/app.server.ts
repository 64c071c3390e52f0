import { delete_all, model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { Ok, isFailure, ok_or, unwrap, type Result } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

const db = sqlite("app.db");

export interface Post {
  id: number;
  title: string;
  body: string;
  views: number;
  published: boolean;
}
export const Post = await model<Post>(db, "Post", "posts", {
  title: t.string,
  body: t.string,
  views: t.int,
  published: t.bool,
});

export async function create_post(title: string, body: string): Promise<Post> {
  return await Post.create({ title, body, views: 0, published: false });
}

export async function get_post(id: number): Promise<Post | null> {
  return await Post.find(id);
}

export async function all_posts(): Promise<Post[]> {
  return await Post.all();
}

export async function popular(min_views: number): Promise<Post[]> {
  return await Post.where({ views_gt: min_views, published: true });
}

export async function unpopular(): Promise<Post[]> {
  return await Post.where({ views_lt: 10 });
}

export async function by_ids(ids: number[]): Promise<Post[]> {
  return await Post.where({ id_in: ids });
}

export async function publish_post(id: number): Promise<Result<Post, string>> {
  const postResult = ok_or(await Post.find(id), `no post ${id}`);
  if (isFailure(postResult)) return postResult;
  const post = unwrap(postResult);
  await Post.update(id, { published: true });
  return Ok(post);
}

export async function remove_post(id: number): Promise<boolean> {
  return await Post.delete(id);
}

export async function post_count(): Promise<number> {
  return await Post.count();
}

export async function purge_drafts(): Promise<number> {
  return await delete_all(await Post.where({ published: false }));
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/posts", create_post, [
  { name: "title", schema: t.string },
  { name: "body", schema: t.string },
]);
app.route("GET", "/posts/:id", get_post, [{ name: "id", schema: t.int }]);
app.route("DELETE", "/posts/:id", remove_post, [{ name: "id", schema: t.int }]);
app.rpc("create_post", create_post, [
  { name: "title", schema: t.string },
  { name: "body", schema: t.string },
]);
app.rpc("get_post", get_post, [{ name: "id", schema: t.int }]);
app.rpc("all_posts", all_posts, []);
app.rpc("popular", popular, [{ name: "min_views", schema: t.int }]);
app.rpc("unpopular", unpopular, []);
app.rpc("by_ids", by_ids, [{ name: "ids", schema: t.array(t.int) }]);
app.rpc("publish_post", publish_post, [{ name: "id", schema: t.int }]);
app.rpc("remove_post", remove_post, [{ name: "id", schema: t.int }]);
app.rpc("post_count", post_count, []);
app.rpc("purge_drafts", purge_drafts, []);

await app.listen();
