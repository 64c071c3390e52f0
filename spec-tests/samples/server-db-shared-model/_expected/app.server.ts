import { model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { type User } from "./app.shared.js";
import { createApp } from "./runtime/server.js";

const db = sqlite("./data.db");

export const UserModel = model<User & { id: number }>(db, "users", {
  name: t.string,
  email: t.string,
  active: t.bool,
});

export function signup(name: string, email: string): User {
  return UserModel.create({ name, email, active: true });
}

export function find_user(id: number): User | null {
  return UserModel.find(id);
}

export function active_users(): User[] {
  return UserModel.where({ active: true });
}

export function deactivate(id: number) {
  return UserModel.update(id, { active: false });
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
