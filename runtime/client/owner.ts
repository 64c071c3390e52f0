// Ownership for the renderer (dom.ts): every binding made while building a
// part of the page belongs to that part, and goes away with it when an `if`
// switches branch or a list drops a row. And the moment the page is built,
// after which a client block's effects start (client.md: "runs once after
// the first render").
import { effect, untracked } from "@preact/signals-core";

/** What a part of the page must undo when it is removed. */
interface Owner {
  disposers: (() => void)[];
}

let owner: Owner | null = null;

/**
 * Runs `build` with every binding it makes owned by a new scope; answers its
 * result and the function that disposes them all. Untracked (what `build`
 * reads does not subscribe the caller) unless `tracked`.
 */
export function scoped<T>(build: () => T, tracked = false): [T, () => void] {
  const scope: Owner = { disposers: [] };
  const saved = owner;
  owner = scope;
  try {
    return [tracked ? build() : untracked(build), () => dispose(scope)];
  } finally {
    owner = saved;
  }
}

function dispose(scope: Owner): void {
  for (const d of scope.disposers.splice(0).reverse()) d();
}

/** Runs `fn` when the part of the page being built is removed. */
export function onDispose(fn: () => void): void {
  owner?.disposers.push(fn);
}

/** An effect owned by the part of the page being built (disposed with it). */
export function bind(fn: () => void): void {
  const stop = effect(fn);
  owner?.disposers.push(stop);
}

let mounted = false;
const waiting: (() => void)[] = [];

/** Runs `fn` once the page is built (now, if it is). */
export function afterMount(fn: () => void): void {
  if (mounted) fn();
  else waiting.push(fn);
}

/** Called by `mount` once the page is built. */
export function pageBuilt(): void {
  mounted = true;
  for (const fn of waiting.splice(0)) fn();
}
