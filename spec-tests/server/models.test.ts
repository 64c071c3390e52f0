import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/** decisions.md, "Models": a real SQLite file, every accessor, filters, Bool, restarts. */

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

const PROGRAM = `
shared {
  type User { id: Int, name: String, email: String }
}

server {
  db { adapter: "sqlite", database: "test.db" }

  model User

  model Task {
    title: String
    done: Bool
    priority: Int
  }

  fn add_task(title: String, priority: Int) {
    Task.create({ title: title, done: false, priority: priority })
  }

  fn finish(id: Int) {
    Task.update(id, { done: true })
  }

  fn tasks() { Task.all() }
  fn task(id: Int) { Task.find(id) }
  fn urgent() { Task.where({ priority_gte: 5, done: false }) }
  fn named(title: String) { Task.where({ title: title }) }
  fn some(ids: [Int]) { Task.where({ id_in: ids }) }
  fn like(pattern: String) { Task.where({ title_like: pattern }) }
  fn counts() { { all: Task.count(), done: Task.where({ done: true }) |> len() } }
  fn remove(id: Int) { Task.delete(id) }
  fn clear_done() { Task.where({ done: true }) |> delete_all() }
  fn add_user(name: String, email: String) { UserModel.create({ name: name, email: email }) }
  fn users() { UserModel.all() }
}
`;

const rpc = async (url: string, fn: string, ...args: unknown[]) => (await call(`${url}/rpc/${fn}`, { json: { __args: args } })).body.result;

describe("models on SQLite", () => {
  it("creates, finds, filters, updates, counts and deletes", async () => {
    const built = await buildProgram(PROGRAM);
    const s = await start(built.file("server"));
    const a = await rpc(s.url, "add_task", "write spec", 9);
    const b = await rpc(s.url, "add_task", "buy milk", 1);
    await rpc(s.url, "add_task", "fix bug", 7);
    expect(a).toMatchObject({ id: expect.any(Number), title: "write spec", done: false, priority: 9 });
    expect(await rpc(s.url, "task", a.id)).toMatchObject({ title: "write spec", done: false });
    expect(await rpc(s.url, "task", 999)).toBeNull();
    expect((await rpc(s.url, "urgent")).map((t: { title: string }) => t.title).sort()).toEqual(["fix bug", "write spec"]);
    expect((await rpc(s.url, "some", [a.id, b.id])).length).toBe(2);
    expect((await rpc(s.url, "like", "%milk%")).map((t: { title: string }) => t.title)).toEqual(["buy milk"]);
    expect(await rpc(s.url, "finish", a.id)).toMatchObject({ done: true });
    expect(await rpc(s.url, "task", a.id)).toMatchObject({ done: true });
    expect(await rpc(s.url, "counts")).toEqual({ all: 3, done: 1 });
    await rpc(s.url, "clear_done");
    expect(await rpc(s.url, "counts")).toEqual({ all: 2, done: 0 });
    expect(await rpc(s.url, "remove", b.id)).toBe(true);
    expect(await rpc(s.url, "counts")).toEqual({ all: 1, done: 0 });
    expect(existsSync(path.join(built.dir, "test.db"))).toBe(true);
  }, 60_000);

  it("binds values as parameters: an injection attempt finds nothing and changes nothing", async () => {
    const built = await buildProgram(PROGRAM);
    const s = await start(built.file("server"));
    await rpc(s.url, "add_task", "safe", 1);
    expect(await rpc(s.url, "named", "x' OR '1'='1")).toEqual([]);
    expect(await rpc(s.url, "named", "safe'; DROP TABLE tasks; --")).toEqual([]);
    expect((await rpc(s.url, "tasks")).length).toBe(1);
  }, 60_000);

  it("keeps the data in the file across a restart; model User takes its fields from the shared type", async () => {
    const built = await buildProgram(PROGRAM);
    const first = await start(built.file("server"));
    await rpc(first.url, "add_user", "Ada", "ada@example.com");
    await rpc(first.url, "add_task", "persist", 3);
    await first.stop("SIGTERM");
    const second = await start(built.file("server"));
    expect(await rpc(second.url, "users")).toEqual([{ id: 1, name: "Ada", email: "ada@example.com" }]);
    expect((await rpc(second.url, "tasks")).map((t: { title: string; done: boolean }) => [t.title, t.done])).toEqual([["persist", false]]);
  }, 60_000);
});
