import { h, mount, signal, type Child } from "./runtime/client.js";

export const count = signal(0);
export function Counter({ label, start }: { label: () => string; start: () => number }): Child {
  return h(
    "div",
    { class: "counter" },
    h("span", null, label, ": ", () => count.value + start()),
    h(
      "button",
      {
        onclick: () => {
          count.value += 1;
        },
      },
      "+",
    ),
  );
}

export function App(): Child {
  return h(Counter, { label: () => "Clicks", start: () => 5 });
}

mount(App);
