import { h, mount, signal } from "./runtime/client.js";

export const items = signal<string[]>(["milk", "eggs"]);
export function App() {
  return h(
    "ol",
    null,
    items.value.map((item: any, i: number) => h("li", { key: i }, i + 1, ": ", item)),
  );
}

mount(App);
