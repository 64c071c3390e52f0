import { NewUserSchema, type NewUser, type User } from "./app.shared.js";
import {
  Ok,
  contains,
  filter,
  find,
  isFailure,
  len,
  map,
  ok_or,
  skip,
  take,
  unwrap,
  type Result,
} from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

let users: User[] = [];

export function list_users(page: number, active: boolean, search: string | null = null): User[] {
  const matching = search != null ? filter(users, (u: any) => contains(u.name, search)) : users;
  return take(skip(matching, (page - 1) * 20), 20);
}

export function get_user(id: number): User | null {
  return find(users, (u: any) => u.id === id);
}

export function create_user(name: string, email: string, age: number | null = null): User {
  const user = { id: len(users) + 1, name, email } satisfies User;
  users = [...users, user];
  return user;
}

export function register(input: NewUser): User {
  return create_user(input.name, input.email, null);
}

export function replace_user(id: number, name: string, email: string): Result<User, string> {
  const existingResult = ok_or(get_user(id), `no user ${id}`);
  if (isFailure(existingResult)) return existingResult;
  const existing = unwrap(existingResult);
  const updated = { id: existing.id, name, email } satisfies User;
  users = map(users, (u: any) => (u.id === id ? updated : u));
  return Ok(updated);
}

export function patch_user(id: number, email: string | null = null): Result<User, string> {
  const existingResult = ok_or(get_user(id), `no user ${id}`);
  if (isFailure(existingResult)) return existingResult;
  const existing = unwrap(existingResult);
  return Ok({ id: existing.id, name: existing.name, email: email ?? existing.email } satisfies User);
}

export function delete_user(id: number): boolean {
  const before = len(users);
  users = filter(users, (u: any) => u.id !== id);
  return len(users) < before;
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/users", list_users, [
  { name: "page", schema: t.int },
  { name: "active", schema: t.bool },
  { name: "search", schema: t.option(t.string) },
]);
app.route("GET", "/users/:id", get_user, [{ name: "id", schema: t.int }]);
app.route("POST", "/users", create_user, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
  { name: "age", schema: t.option(t.int) },
]);
app.route("POST", "/register", register, [{ name: "input", schema: NewUserSchema, wholeBody: true }]);
app.route("PUT", "/users/:id", replace_user, [
  { name: "id", schema: t.int },
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.route("PATCH", "/users/:id", patch_user, [
  { name: "id", schema: t.int },
  { name: "email", schema: t.option(t.string) },
]);
app.route("DELETE", "/users/:id", delete_user, [{ name: "id", schema: t.int }]);
app.rpc("list_users", list_users, [
  { name: "page", schema: t.int },
  { name: "active", schema: t.bool },
  { name: "search", schema: t.option(t.string) },
]);
app.rpc("get_user", get_user, [{ name: "id", schema: t.int }]);
app.rpc("create_user", create_user, [
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
  { name: "age", schema: t.option(t.int) },
]);
app.rpc("register", register, [{ name: "input", schema: NewUserSchema }]);
app.rpc("replace_user", replace_user, [
  { name: "id", schema: t.int },
  { name: "name", schema: t.string },
  { name: "email", schema: t.string },
]);
app.rpc("patch_user", patch_user, [
  { name: "id", schema: t.int },
  { name: "email", schema: t.option(t.string) },
]);
app.rpc("delete_user", delete_user, [{ name: "id", schema: t.int }]);

await app.listen();
