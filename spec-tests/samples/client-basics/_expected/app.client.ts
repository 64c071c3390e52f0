import { type Todo } from "./app.shared.js";
import { computed, effect, h, list, mount, rpcClient, show, signal, type Child } from "./runtime/client.js";
import { filter, len } from "./runtime/stdlib.js";

const server = rpcClient<{ list_todos(): Promise<Todo[]>; add_todo(title: string): Promise<Todo> }>();

export const todos = signal<Todo[]>([]);
export const draft = signal("");
export const remaining = computed(() => len(filter(todos.value, (t: any) => !t.done)));
export async function add() {
  const todo = await server.add_todo(draft.value);
  todos.value = [...todos.value, todo];
  draft.value = "";
}

effect(async () => {
  todos.value = await server.list_todos();
});

export function App(): Child {
  return h(
    "div",
    null,
    h("h1", null, "Todos (", () => remaining.value, " left)"),
    h("input", { value: () => draft.value }),
    h("button", { onclick: add }, "Add"),
    h(
      "button",
      {
        onclick: () => {
          draft.value = "";
        },
      },
      "Clear",
    ),
    show(
      () => len(todos.value) === 0,
      (yes) =>
        yes
          ? h("p", null, "Nothing to do")
          : h(
              "ul",
              null,
              list(
                () => todos.value,
                null,
                (todo) => h("li", { class: "todo" }, () => todo.value.title),
              ),
            ),
    ),
  );
}

mount(App);
