/// <reference lib="dom" />
// The DOM builder JSX compiles to (`h`), and `mount`. A function given as a
// child or a prop value is reactive: it runs inside an effect and the DOM
// follows the signals it reads. Importing this on the server is harmless:
// `document` is only touched when `h` or `mount` run.
import { effect } from "./signals.js";

/** What JSX children may be. */
export type Child = Node | string | number | boolean | null | undefined | Child[];

function append(parent: Node, child: unknown): void {
  if (child === null || child === undefined || typeof child === "boolean") return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (typeof child === "function") {
    // A reactive child: a text node kept up to date (a Node result replaces the previous one).
    let node: Node = document.createTextNode("");
    parent.appendChild(node);
    effect(() => {
      const value = (child as () => unknown)();
      const next = value instanceof Node ? value : document.createTextNode(value === null || value === undefined ? "" : String(value));
      if (next !== node) {
        node.parentNode?.replaceChild(next, node);
        node = next;
      }
    });
  } else {
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setProp(el: HTMLElement, key: string, value: unknown): void {
  if (key === "class" || key === "className") el.className = value === null || value === undefined ? "" : String(value);
  else if (key === "style" && typeof value === "object" && value !== null) Object.assign(el.style, value);
  else if (key in el && key !== "list" && key !== "form") (el as unknown as Record<string, unknown>)[key] = value;
  else if (value === false || value === null || value === undefined) el.removeAttribute(key);
  else el.setAttribute(key, value === true ? "" : String(value));
}

/**
 * Creates an element (or calls a component with its props and children).
 * @example h("button", { onClick: () => count.value++ }, "Clicked ", () => count.value, " times")
 */
export function h(tag: string | ((props: any) => Node), props: Record<string, unknown> | null, ...children: Child[]): Node {
  if (typeof tag === "function") return tag({ ...props, children });
  if (typeof document === "undefined") throw new Error("h: there is no document (client code runs in a browser)");
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (/^on[A-Za-z_]/.test(key) && typeof value === "function") {
      el.addEventListener(key.slice(2).replace(/^_/, "").toLowerCase(), value as EventListener);
    } else if (typeof value === "function") {
      effect(() => setProp(el, key, (value as () => unknown)()));
    } else {
      setProp(el, key, value);
    }
  }
  append(el, children);
  return el;
}

/**
 * Renders `component` into the element matching `selector` (default `#app`,
 * else `<body>`), once the document is ready.
 */
export function mount(component: () => Node, selector: string = "#app"): void {
  if (typeof document === "undefined") return;
  const render = () => {
    const target = document.querySelector(selector) ?? document.body;
    target.replaceChildren(component());
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render, { once: true });
  else render();
}
