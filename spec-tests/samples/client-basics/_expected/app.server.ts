import { type Todo } from "./app.shared.js";
import { len } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

let todos: Todo[] = [];

export function list_todos(): Todo[] {
  return todos;
}

export function add_todo(title: string): Todo {
  const todo = { id: len(todos) + 1, title, done: false } satisfies Todo;
  todos = [...todos, todo];
  return todo;
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.rpc("list_todos", list_todos, []);
app.rpc("add_todo", add_todo, [{ name: "title", schema: t.string }]);
app.serveClients(import.meta.dir, [{ entry: "app.client.js", mount: "/" }]);

await app.listen();
