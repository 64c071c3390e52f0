/// <reference lib="dom" />
// The DOM builder a client block's JSX compiles to (client.md). Each element
// is created once; what can change is given as a function, bound to the
// signals it reads, so a change touches only the nodes that read it:
//
//   h("button", { onclick: add, disabled: () => draft.value === "" }, "Add")
//   h("h1", null, "Todos (", () => remaining.value, " left)")
//   h("input", { "bind:value": draft })
//
// Text is always a text node (escaped); attributes are set with
// setAttribute, and a `javascript:` URL in href/src/action is refused.
// Importing this on the server is harmless: `document` is only touched when
// `h` or `mount` run.
import { bind, onDispose, pageBuilt, scoped } from "./owner.js";
import { batch, signal, untracked, type Signal } from "./signals.js";

/** What JSX children may be: a function is a reactive child. */
export type Child = Node | Region | string | number | boolean | null | undefined | (() => unknown) | Child[];

/** A part of the page that changes its own nodes (`show`, `list`): placed before an anchor it owns. */
export interface Region {
  readonly region: true;
  /** Appends the region (its anchor and current nodes) to `parent`. */
  place(parent: Node): void;
}

export const isRegion = (x: unknown): x is Region => typeof x === "object" && x !== null && (x as Region).region === true;

function noDocument(): never {
  throw new Error("h: there is no document (client code runs in a browser)");
}

const text = (v: unknown): string => (v === null || v === undefined || typeof v === "boolean" ? "" : String(v));

/** Appends a child of any kind to `parent`. */
export function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || typeof child === "boolean") return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (typeof child === "function") {
    reactiveChild(parent, child);
  } else if (isRegion(child)) {
    child.place(parent);
  } else {
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * `{expr}`: a text node whose text follows the expression. An expression that
 * gives nodes (a component call) puts them after that node instead, rebuilt
 * when what it reads changes.
 */
function reactiveChild(parent: Node, fn: () => unknown): void {
  const node = document.createTextNode("");
  parent.appendChild(node);
  let end: Comment | null = null;
  let disposeNodes: (() => void) | null = null;
  const clear = () => {
    disposeNodes?.();
    disposeNodes = null;
    if (end) clearBetween(node, end);
  };
  onDispose(clear);
  bind(() => {
    const [value, dispose] = scoped(fn, true);
    if (value instanceof Node || Array.isArray(value) || isRegion(value)) {
      clear();
      node.data = "";
      if (!end) node.parentNode!.insertBefore((end = document.createComment("")), node.nextSibling);
      const fragment = document.createDocumentFragment();
      append(fragment, value as Child);
      end.parentNode!.insertBefore(fragment, end);
      disposeNodes = dispose;
    } else {
      dispose();
      if (end) clear();
      const s = text(value);
      if (node.data !== s) node.data = s;
    }
  });
}

// URL attributes where a `javascript:` URL would run code.
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "poster", "cite"]);
// Written as properties: what the user sees (the attribute is only the initial value).
const PROPERTIES = new Set(["value", "checked", "selected", "muted", "indeterminate"]);

function setAttribute(el: Element, key: string, value: unknown): void {
  if (PROPERTIES.has(key)) {
    const target = el as unknown as Record<string, unknown>;
    const v = key === "value" ? text(value) : !!value;
    if (target[key] !== v) target[key] = v;
    return;
  }
  const name = key === "className" ? "class" : key;
  if (name === "style" && typeof value === "object" && value !== null) {
    (el as HTMLElement).removeAttribute("style");
    Object.assign((el as HTMLElement).style, value);
  } else if (value === false || value === null || value === undefined) {
    el.removeAttribute(name);
  } else {
    const s = value === true ? "" : String(value);
    if (URL_ATTRIBUTES.has(name.toLowerCase()) && /^\s*javascript:/i.test(s.replace(/[\u0000-\u001f]/g, ""))) {
      console.warn(`tova: refused a javascript: URL in ${name}`);
      el.removeAttribute(name);
      return;
    }
    el.setAttribute(name, s);
  }
}

/** `bind:value={state}` / `bind:checked={state}`: the element shows the state, and the user's edits write it. */
function twoWay(el: HTMLInputElement, key: string, state: Signal<any>): void {
  if (key === "bind:checked") {
    bind(() => void (el.checked = !!state.value));
    el.addEventListener("change", () => (state.value = el.checked));
    return;
  }
  // A number state stays a number (an <input type="number"> gives text).
  const numeric = typeof state.peek() === "number";
  bind(() => {
    const v = text(state.value);
    if (el.value !== v) el.value = v; // an unchanged value keeps the caret where the user is typing
  });
  el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" || el.type === "radio" ? "change" : "input", () => {
    state.value = numeric ? (el.value === "" ? 0 : Number(el.value)) : el.value;
  });
}

/** A component: a function of its props that builds its nodes once. */
export type Component<P> = (props: P) => Node | Region | Child;

/**
 * An element (or a component called with its props). Props: `on<event>` a
 * handler (its writes batched), `bind:value` / `bind:checked` a state, a
 * function a reactive attribute, anything else a fixed attribute.
 * @example h("li", { class: () => (todo.value.done ? "done" : "") }, () => todo.value.title)
 */
export function h(tag: string, props: Record<string, unknown> | null, ...children: Child[]): HTMLElement;
export function h<P>(tag: Component<P>, props: P, ...children: Child[]): Node;
export function h(tag: string | Component<any>, props: Record<string, unknown> | null, ...children: Child[]): Node {
  if (typeof tag === "function") {
    const out = untracked(() => tag(children.length ? { ...props, children } : (props ?? {})));
    if (typeof document === "undefined") return out as Node; // on the server: only a component's own value
    if (out instanceof Node) return out;
    const fragment = document.createDocumentFragment();
    append(fragment, out as Child);
    return fragment;
  }
  if (typeof document === "undefined") noDocument();
  const el = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (key.startsWith("bind:")) twoWay(el as HTMLInputElement, key, value as Signal<unknown>);
    else if (key.startsWith("on") && typeof value === "function") {
      const handler = value as (e: Event) => unknown;
      el.addEventListener(key.slice(2).replace(/^_/, "").toLowerCase(), (e) => batch(() => void handler(e)));
    } else if (/^on/i.test(key)) {
      // Text in an event attribute would run as code: only a function is a handler.
      console.warn(`tova: refused ${key} on <${tag}>: a handler must be a function`);
    } else if (typeof value === "function") bind(() => setAttribute(el, key, (value as () => unknown)()));
    else setAttribute(el, key, value);
  }
  for (const c of children) append(el, c);
  return el;
}

/** The nodes of a region's current content, between its start (exclusive) and its end anchor. */
function clearBetween(start: Node | null, end: Node): void {
  const parent = end.parentNode!;
  let node = start ? start.nextSibling : parent.firstChild;
  while (node && node !== end) {
    const next = node.nextSibling;
    parent.removeChild(node);
    node = next;
  }
}

/**
 * `if` / `else` inside JSX: `pick` chooses a branch (compared with `===`);
 * the branch is built when chosen and disposed when it is left.
 * @example show(() => len(todos.value) === 0, (empty) => (empty ? h("p", null, "Nothing to do") : h("ul", null, ...)))
 */
export function show<K>(pick: () => K, build: (key: K) => Child): Region {
  return {
    region: true,
    place(parent) {
      const start = document.createComment("");
      const end = document.createComment("");
      parent.appendChild(start);
      parent.appendChild(end);
      let current: { key: K; dispose: () => void } | null = null;
      onDispose(() => current?.dispose());
      bind(() => {
        const key = pick();
        if (current && current.key === key) return;
        current?.dispose();
        clearBetween(start, end);
        const [content, dispose] = scoped(() => {
          const fragment = document.createDocumentFragment();
          append(fragment, build(key));
          return fragment;
        });
        end.parentNode!.insertBefore(content, end);
        current = { key, dispose };
      });
    },
  };
}

interface Row<T> {
  key: unknown;
  item: Signal<T>;
  index: Signal<number>;
  first: Node;
  last: Node;
  dispose: () => void;
}

/**
 * `for x in xs key k { ... }` inside JSX: one row per item, built once per
 * key; a reordered list moves the rows it keeps (as few as the longest run
 * already in order allows), a changed item updates its row in place. Without
 * a key, rows are matched by position.
 * @example list(() => todos.value, (todo) => todo.id, (todo) => h(TodoItem, { todo: () => todo.value }))
 */
export function list<T>(items: () => readonly T[], keyOf: ((item: T, index: number) => unknown) | null, render: (item: Signal<T>, index: Signal<number>) => Child): Region {
  return {
    region: true,
    place(parent) {
      const end = document.createComment("");
      parent.appendChild(end);
      let rows: Row<T>[] = [];
      onDispose(() => {
        for (const row of rows) row.dispose();
      });

      const create = (item: T, i: number, key: unknown): Row<T> => {
        const itemSignal = signal(item);
        const indexSignal = signal(i);
        const [content, dispose] = scoped(() => {
          const fragment = document.createDocumentFragment();
          append(fragment, render(itemSignal, indexSignal));
          return fragment;
        });
        // One element is its own row; anything else is kept between two anchors.
        if (content.childNodes.length === 1 && content.firstChild!.nodeType === 1) {
          const el = content.firstChild!;
          return { key, item: itemSignal, index: indexSignal, first: el, last: el, dispose };
        }
        const first = document.createComment("");
        const last = document.createComment("");
        content.insertBefore(first, content.firstChild);
        content.appendChild(last);
        return { key, item: itemSignal, index: indexSignal, first, last, dispose, fragment: content } as Row<T>;
      };

      bind(() => {
        const next = items() ?? [];
        untracked(() => {
          rows = reconcile(end, rows, next, keyOf, create);
        });
      });
    },
  };
}

function nodesOf(row: Row<unknown>): Node[] {
  const out: Node[] = [];
  for (let n: Node | null = row.first; n; n = n.nextSibling) {
    out.push(n);
    if (n === row.last) break;
  }
  return out;
}

function moveBefore(row: Row<unknown>, ref: Node): void {
  const fragment = (row as { fragment?: DocumentFragment }).fragment;
  if (fragment && fragment.firstChild) {
    // Not placed yet: its nodes are still in the fragment it was built in.
    ref.parentNode!.insertBefore(fragment, ref);
    delete (row as { fragment?: DocumentFragment }).fragment;
    return;
  }
  if (row.first === row.last) ref.parentNode!.insertBefore(row.first, ref);
  else for (const n of nodesOf(row)) ref.parentNode!.insertBefore(n, ref);
}

function removeRow(row: Row<unknown>): void {
  row.dispose();
  const parent = row.first.parentNode;
  if (!parent) return;
  if (row.first === row.last) parent.removeChild(row.first);
  else for (const n of nodesOf(row)) parent.removeChild(n);
}

function reconcile<T>(end: Node, old: Row<T>[], items: readonly T[], keyOf: ((item: T, index: number) => unknown) | null, create: (item: T, i: number, key: unknown) => Row<T>): Row<T>[] {
  const byKey = new Map<unknown, number>();
  old.forEach((row, i) => byKey.set(row.key, i));
  const next: Row<T>[] = new Array(items.length);
  // For each new position, the old position of its row (-1: a new row).
  const from = new Int32Array(items.length);
  const seen = new Set<unknown>();
  const kept = new Uint8Array(old.length);
  batch(() => {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const key = keyOf ? keyOf(item, i) : i;
      if (seen.has(key)) throw new Error(`for ... key: two items have the key ${JSON.stringify(key)}; a key must identify one item`);
      seen.add(key);
      const at = byKey.get(key);
      if (at === undefined) {
        next[i] = create(item, i, key);
        from[i] = -1;
      } else {
        const row = old[at]!;
        if (row.item.peek() !== item) row.item.value = item;
        if (row.index.peek() !== i) row.index.value = i;
        kept[at] = 1;
        next[i] = row;
        from[i] = at;
      }
    }
  });
  for (let i = 0; i < old.length; i++) if (!kept[i]) removeRow(old[i]!);
  const stay = longestIncreasing(from);
  let ref: Node = end;
  for (let i = items.length - 1; i >= 0; i--) {
    const row = next[i]!;
    if (from[i] === -1 || !stay.has(i)) moveBefore(row, ref);
    ref = row.first;
  }
  return next;
}

/** The positions of a longest strictly increasing run of `a`'s non-negative values (the rows that need not move). */
function longestIncreasing(a: Int32Array): Set<number> {
  const tails: number[] = [];
  const prev = new Int32Array(a.length).fill(-1);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.add(i);
  return out;
}

/**
 * Renders `component` into the element matching `selector` (default `#app`,
 * else `<body>`) once the document is ready, then starts the block's effects.
 */
export function mount(component: () => Child, selector: string = "#app"): void {
  if (typeof document === "undefined") return;
  const render = () => {
    const target = document.querySelector(selector) ?? document.body;
    const fragment = document.createDocumentFragment();
    append(fragment, untracked(component));
    target.replaceChildren(fragment);
    pageBuilt();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render, { once: true });
  else render();
}
