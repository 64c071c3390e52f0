import { model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { type User } from "./app.shared.js";
import { createApp, peer } from "./runtime/server.js";

const db = sqlite("./data.db");

export const UserModel = await model<User>(db, "UserModel", "users", { name: t.string, email: t.string });

const notifier = peer<{ notify(event: string, data: string): Promise<boolean> }>("notifier", {
  url: "http://localhost:3005",
  urlEnv: "URL_NOTIFIER",
  portEnv: "PORT_NOTIFIER",
  port: 3005,
  health: null,
  breaker: { threshold: 5, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 1 },
});

export async function create_user(name: string, email: string): Promise<User> {
  const user = await UserModel.create({ name, email });
  await notifier.notify("user_joined", user.name);
  return user;
}

export async function get_users(): Promise<User[]> {
  return await UserModel.all();
}

const app = createApp({ name: "api", port: 3000, portEnv: "PORT_API" });
app.route("POST", "/users", create_user, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.route("GET", "/users", get_users, []);
app.rpc("create_user", create_user, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.rpc("get_users", get_users, []);

await app.listen();
