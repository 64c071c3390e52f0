import { model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { type User } from "./app.shared.js";
import { createApp } from "./runtime/server.js";

const db = sqlite("./data.db");

export const UserModel = await model<User & { id: number }>(db, "UserModel", "users", {
  name: t.string,
  email: t.string,
  active: t.bool,
});

export async function signup(name: string, email: string): Promise<User> {
  return await UserModel.create({ name, email, active: true });
}

export async function find_user(id: number): Promise<User | null> {
  return await UserModel.find(id);
}

export async function active_users(): Promise<User[]> {
  return await UserModel.where({ active: true });
}

export async function deactivate(id: number) {
  return await UserModel.update(id, { active: false });
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/signup", signup, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.route("GET", "/users/:id", find_user, [{ name: "id", schema: t.int }]);
app.route("GET", "/users", active_users, []);
app.rpc("signup", signup, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.rpc("find_user", find_user, [{ name: "id", schema: t.int }]);
app.rpc("active_users", active_users, []);
app.rpc("deactivate", deactivate, [{ name: "id", schema: t.int }]);

await app.listen();
