import { h, list, mount, signal, type Child } from "./runtime/client.js";

export const items = signal<string[]>(["milk", "eggs"]);
export function App(): Child {
  return h(
    "ol",
    null,
    list(
      () => items.value,
      null,
      (item, i) =>
        h(
          "li",
          { key: () => i.value },
          () => i.value + 1,
          ": ",
          () => item.value,
        ),
    ),
  );
}

mount(App);
