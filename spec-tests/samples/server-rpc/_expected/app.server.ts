import { type Todo } from "./app.shared.js";
import {
  Ok,
  filter,
  find,
  isFailure,
  len,
  map,
  ok_or,
  print,
  unwrap,
  type Result,
} from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

let todos: Todo[] = [];
let next_id = 1;

export function add_todo(title: string): Todo {
  const todo = { id: next_id, title, done: false } satisfies Todo;
  next_id += 1;
  todos = [...todos, todo];
  return todo;
}

export function list_todos(): Todo[] {
  return todos;
}

export function complete(id: number): Result<Todo, string> {
  const todoResult = ok_or(
    find(todos, (t: any) => t.id === id),
    `no todo ${id}`,
  );
  if (isFailure(todoResult)) return todoResult;
  const todo = unwrap(todoResult);
  const done = { id: todo.id, title: todo.title, done: true } satisfies Todo;
  todos = map(todos, (t: any) => (t.id === id ? done : t));
  return Ok(done);
}

export function open_count(): number {
  return len(filter(todos, (t: any) => !t.done));
}

export function rename(id: number, title: string, notify: boolean = false) {
  todos = map(todos, (t: any) => (t.id === id ? ({ id: t.id, title, done: t.done } satisfies Todo) : t));
  if (notify) {
    print(`renamed ${id}`);
  }
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.rpc("add_todo", add_todo, [{ name: "title", schema: t.string }]);
app.rpc("list_todos", list_todos, []);
app.rpc("complete", complete, [{ name: "id", schema: t.int }]);
app.rpc("open_count", open_count, []);
app.rpc("rename", rename, [
  { name: "id", schema: t.int },
  { name: "title", schema: t.string },
  { name: "notify", schema: t.bool, optional: true },
]);

await app.listen();
