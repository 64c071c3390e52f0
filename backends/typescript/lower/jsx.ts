import type * as ast from "../../../frontend/ast.js";
import { RUNTIME } from "../context.js";
import { safeName } from "../hygiene.js";
import { lambda } from "./calls.js";
import type { Lowered } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { renderStmts } from "./render.js";
import { block, line } from "./ts-stmt.js";

/**
 * JSX as calls to the client runtime's DOM builder (runtime/client/dom.ts,
 * client.md): every element is built once, and what can change is a function
 * the runtime binds to the signals it reads.
 *
 *   <h1>Todos ({remaining} left)</h1>    h("h1", null, "Todos (", () => remaining.value, " left)")
 *   <button onclick={add}>               h("button", { onclick: add }, ...)
 *   <input bind:value={draft} />         h("input", { "bind:value": draft })
 *   if c { A } else { B }                show(() => c, (yes) => (yes ? A : B))
 *   for t in ts key t.id { <Item t={t} /> }
 *                                        list(() => ts.value, (t) => t.id, (t) => h(Item, { t: () => t.value }))
 *
 * A loop's variable is the row's signal (a changed item updates its row in
 * place), and a component's props are functions (`todo()`), so what a child
 * component shows follows its parent's state.
 */
export function jsx(l: Lowerer, e: ast.JsxElement): Lowered {
  const pre: Lowered["pre"] = [];
  const value = element(l, e, pre);
  return { pre, value, atomic: true };
}

type Pre = Lowered["pre"];

function element(l: Lowerer, e: ast.JsxElement, pre: Pre): string {
  const h = l.ctx.runtime(RUNTIME.client, "h");
  const component = /^[A-Z]/.test(e.tag);
  const props = e.attrs.map((a) => `${key(a.name)}: ${component ? propValue(l, a) : attribute(l, a, pre)}`);
  const children = childList(l, e.children, pre);
  const tag = component ? e.tag : JSON.stringify(e.tag || "div");
  return `${h}(${[tag, props.length ? `{ ${props.join(", ")} }` : component ? "{}" : "null", ...children].join(", ")})`;
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** A literal needs no binding: it never changes. */
function isLiteral(e: ast.Expr): boolean {
  return e.kind === "Str" || e.kind === "Num" || e.kind === "Bool" || e.kind === "Nil";
}

/** `() => expr`, with the statements `expr` needs inside the function. */
function thunk(l: Lowerer, e: ast.Expr): string {
  // A component's prop is already a function: `{label}` passes `label`, not `() => label()`.
  if (e.kind === "Ident") {
    const read = l.expr(e).value;
    if (/^[A-Za-z_$][\w$]*\(\)$/.test(read)) return read.slice(0, -2);
  }
  return lambda(l, { kind: "Lambda", name: null, async: false, params: [], returnType: null, body: e, span: e.span }).value;
}

/** A value as given (evaluated once, where the element is built). */
function once(l: Lowerer, e: ast.Expr, pre: Pre): string {
  const lowered = l.expr(e);
  pre.push(...lowered.pre);
  return lowered.value;
}

function attribute(l: Lowerer, a: ast.JsxAttr, pre: Pre): string {
  if (a.value === null) return "true";
  // A handler and a two-way binding's state are values, not expressions to follow.
  if (/^on/.test(a.name)) return once(l, a.value, pre);
  if (a.name.startsWith("bind:")) return signalOf(l, a.value);
  return isLiteral(a.value) ? once(l, a.value, pre) : thunk(l, a.value);
}

/** `bind:value={draft}`: the state's signal itself (the checker allows only a state here). */
function signalOf(l: Lowerer, e: ast.Expr): string {
  const read = l.expr(e).value;
  return read.endsWith(".value") ? read.slice(0, -".value".length) : read;
}

/** A component's prop: always a function, so the component reads its current value. */
function propValue(l: Lowerer, a: ast.JsxAttr): string {
  if (a.value === null) return "() => true";
  return thunk(l, a.value);
}

function childList(l: Lowerer, children: readonly ast.JsxChild[], pre: Pre): string[] {
  const out: string[] = [];
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.kind === "JsxText") {
      // The lexer splits text at line ends: the lines of one run of text are one child.
      let raw = c.text;
      while (children[i + 1]?.kind === "JsxText") raw += (children[++i] as ast.JsxText).text;
      const text = jsxText(raw);
      if (text !== null) out.push(JSON.stringify(text));
      continue;
    }
    const text = child(l, c, pre);
    if (text !== null) out.push(text);
  }
  return out;
}

/**
 * Text as JSX reads it: on one line exactly as written (`{a} {b}` keeps its
 * space); across lines, each line trimmed where it meets a line break, empty
 * lines dropped, and the rest joined with one space.
 */
function jsxText(raw: string): string | null {
  if (!raw.includes("\n")) return raw;
  const lines = raw.split(/\r?\n/);
  const parts = lines
    .map((line, i) => {
      let t = line.replace(/\t/g, " ");
      if (i > 0) t = t.trimStart();
      if (i < lines.length - 1) t = t.trimEnd();
      return t;
    })
    .filter((t) => t !== "");
  return parts.length ? parts.join(" ") : null;
}

function child(l: Lowerer, c: ast.JsxChild, pre: Pre): string | null {
  switch (c.kind) {
    case "JsxText": {
      const text = jsxText(c.text);
      return text === null ? null : JSON.stringify(text);
    }
    case "JsxExpr":
      return isLiteral(c.expr) ? once(l, c.expr, pre) : thunk(l, c.expr);
    case "JsxElement":
      return element(l, c, pre);
    case "JsxIf":
      return conditional(l, c);
    case "JsxFor":
      return loop(l, c);
  }
}

/** Children as one value: a single child as it is, several as an array. */
function group(items: string[]): string {
  return items.length === 1 ? items[0]! : `[${items.join(", ")}]`;
}

/**
 * `(params) => children`, lowered as a function of its own (its statements
 * inside it); `declare` binds the parameters in its scope first.
 */
function arrow(l: Lowerer, declare: () => string[], body: (pre: Pre) => string): string {
  return l.inFunction(false, () => {
    const params = declare();
    const pre: Pre = [];
    const value = body(pre);
    const head = `(${params.join(", ")}) =>`;
    if (!pre.length) return `${head} ${value.startsWith("{") ? `(${value})` : value}`;
    return `${head} ${renderStmts(l.ctx, [block("", [...pre, line(`return ${value}`)])]).trim()}`;
  });
}

function conditional(l: Lowerer, c: ast.JsxIf): string {
  const show = l.ctx.runtime(RUNTIME.client, "show");
  const branches = c.branches.map((b) => b.children);
  const otherwise = c.otherwise ?? [];
  if (branches.length === 1) {
    // `if c { A } else { B }`: the branch follows the condition's truth.
    const yes = l.scopes.temp("yes");
    const build = arrow(l, () => [yes], (pre) => `${yes} ? ${group(childList(l, branches[0]!, pre)) || "null"} : ${group(childList(l, otherwise, pre)) || "null"}`);
    return `${show}(${thunk(l, c.branches[0]!.cond)}, ${build})`;
  }
  // `if` / `elif` / `else`: the number of the first branch whose condition holds.
  const blockOf = (e: ast.Expr): ast.BlockExpr => ({ kind: "Block", stmts: [{ kind: "ExprStmt", expr: e, span: e.span }], span: e.span });
  const pick: ast.IfExpr = {
    kind: "If",
    branches: c.branches.map((b, i) => ({ cond: b.cond, body: blockOf(num(i, b.cond.span)) })),
    otherwise: blockOf(num(branches.length, c.span)),
    span: c.span,
  };
  const n = l.scopes.temp("branch");
  const build = arrow(l, () => [n], (pre) => {
    const all = [...branches, otherwise].map((kids) => group(childList(l, kids, pre)) || "null");
    return all.slice(0, -1).reduceRight((acc, text, i) => `${n} === ${i} ? ${text} : ${acc}`, all[all.length - 1]!);
  });
  return `${show}(${thunk(l, pick)}, ${build})`;
}

function num(n: number, span: ast.Expr["span"]): ast.Expr {
  return { kind: "Num", value: n, raw: String(n), span };
}

function loop(l: Lowerer, c: ast.JsxFor): string {
  const list = l.ctx.runtime(RUNTIME.client, "list");
  const names = c.names.map((n) => n.name);
  // `for x in xs` binds the value; `for i, x in xs` the index and the value.
  const [valueName, indexName] = names.length === 2 ? [names[1]!, names[0]!] : [names[0]!, null];
  const keyFn = c.key
    ? arrow(
        l,
        () => [l.scopes.declareParam(valueName), ...(indexName ? [l.scopes.declareParam(indexName)] : [])],
        (pre) => once(l, c.key!, pre),
      )
    : "null";
  const render = arrow(
    l,
    () => {
      // The row's item and index are signals: reading them follows the row.
      const params = [valueName, ...(indexName ? [indexName] : [])].map((name) => {
        const ts = l.scopes.nameFor(name);
        l.scopes.reserve(ts);
        l.scopes.alias(name, `${ts}.value`);
        return ts;
      });
      return params;
    },
    (pre) => group(childList(l, c.children, pre)) || "null",
  );
  return `${list}(${thunk(l, c.iterable)}, ${keyFn}, ${render})`;
}

export { safeName };
