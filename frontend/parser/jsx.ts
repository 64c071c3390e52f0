import type { Expr, Ident, JsxAttr, JsxChild, JsxElement } from "../ast.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Span } from "../span.js";
import { accept, context, expected, gen, kw, mark, name, nest, next, op, peek, spanFrom, tok, type P, type Run } from "./core.js";
import { bracketed, exprF } from "./expressions.js";

/**
 * JSX in client components (named-blocks.md, the multi-server example):
 * elements, attributes (`"text"` or `{expr}`), text, `{expr}` children, and
 * `for x in xs [key e] { ... }` / `if c { ... } else { ... }` among the children
 * (client.md). Attribute names keep what was written (`bind:value`, `on:click`).
 */
export const jsxElement: P<JsxElement> = gen(jsxElementF);

/** A child element, one level deeper (core.ts, `nest`). */
const childElement = (): JsxElement => nest(jsxElementF, emptyElement);
const emptyElement = (span: Span): JsxElement => ({ kind: "JsxElement", tag: "", attrs: [], children: [], span });

export function jsxElementF(run: Run): JsxElement {
  const start = run(mark);
  run(tok("jsx_open", undefined, "`<`"));
  const tag = run(peek).kind === "ident" ? run(next).value : ""; // `<>` is a fragment
  const attrs: JsxAttr[] = [];
  for (;;) {
    const t = run(peek);
    if (t.kind !== "ident") break;
    const as = run(mark);
    run(next);
    let value: Expr | null = null;
    if (run(accept("op", "="))) {
      const v = run(peek);
      if (v.kind === "str" || v.kind === "tpl") value = exprF(run, false);
      else {
        run(op("{"));
        value = exprF(run, false);
        run(op("}"));
      }
    }
    attrs.push({ name: t.value, value, span: run(spanFrom(as)) });
  }
  if (run(accept("jsx_self_close"))) return { kind: "JsxElement", tag, attrs, children: [], span: run(spanFrom(start)) };
  run(tok("jsx_end", undefined, "`>` or `/>`"));
  const children = jsxChildrenF(run);
  const closeStart = run(mark);
  run(tok("jsx_close_open", undefined, `\`</${tag}>\``));
  const closing = run(peek).kind === "ident" ? run(next).value : "";
  run(tok("jsx_end", undefined, "`>`"));
  if (closing !== tag) {
    const ctx = run(context);
    ctx.diagnostics.push(
      diagnostic("E0012", run(spanFrom(closeStart)), `closing tag \`</${closing}>\` does not match \`<${tag}>\``, {
        labels: [{ span: run(spanFrom(start)), message: `\`<${tag}>\` opened here` }],
        hint: `close it with \`</${tag}>\``,
      }),
    );
  }
  return { kind: "JsxElement", tag, attrs, children, span: run(spanFrom(start)) };
}

/** Children up to `</` (of an element) or `}` (of a `for`/`if` body). */
function jsxChildrenF(run: Run): JsxChild[] {
  const children: JsxChild[] = [];
  for (;;) {
    const t = run(peek);
    const start = run(mark);
    if (t.kind === "jsx_text") {
      run(next);
      children.push({ kind: "JsxText", text: t.value, span: run(spanFrom(start)) });
    } else if (t.kind === "jsx_open") {
      children.push(childElement());
    } else if (t.kind === "op" && t.value === "{") {
      const e = nest(bracketed, errorExpr);
      children.push({ kind: "JsxExpr", expr: e, span: run(spanFrom(start)) });
    } else if (t.kind === "kw" && t.value === "for") {
      run(next);
      const names: Ident[] = [];
      do {
        const ns = run(mark);
        names.push({ kind: "Ident", name: run(name()).value, span: run(spanFrom(ns)) });
      } while (run(accept("op", ",")));
      run(kw("in"));
      const iterable = exprF(run, true);
      // `key expr` (client.md): a contextual word; nothing else may follow the iterable.
      let key: Expr | null = null;
      if (run(accept("ident", "key"))) {
        // `key {` is a missing key, not an object literal to read as one.
        const k = run(peek);
        key = k.kind === "op" && k.value === "{" ? run(expected<Expr>("the key expression after `key`")) : exprF(run, true);
      }
      const body = controlBody();
      children.push({ kind: "JsxFor", names, iterable, key, children: body, span: run(spanFrom(start)) });
    } else if (t.kind === "kw" && t.value === "if") {
      run(next);
      const branches = [{ cond: exprF(run, true), children: controlBody() }];
      let otherwise: JsxChild[] | null = null;
      for (;;) {
        if (run(accept("kw", "elif"))) {
          branches.push({ cond: exprF(run, true), children: controlBody() });
        } else if (run(accept("kw", "else"))) {
          if (run(accept("kw", "if"))) {
            branches.push({ cond: exprF(run, true), children: controlBody() });
            continue;
          }
          otherwise = controlBody();
          break;
        } else break;
      }
      children.push({ kind: "JsxIf", branches, otherwise, span: run(spanFrom(start)) });
    } else if (t.kind === "jsx_close_open" || (t.kind === "op" && t.value === "}")) {
      return children;
    } else {
      return run(expected<JsxChild[]>("JSX children or a closing tag"));
    }
  }
}

/** `{ children }` of a `for`/`if` inside JSX. */
function controlBody(): JsxChild[] {
  return nest(controlBodyF, noChildren);
}

function controlBodyF(run: Run): JsxChild[] {
  run(op("{"));
  const children = jsxChildrenF(run);
  run(op("}"));
  return children;
}

const noChildren = (): JsxChild[] => [];
const errorExpr = (span: Span): Expr => ({ kind: "ErrorExpr", span });
