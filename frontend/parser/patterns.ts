import type { Pattern } from "../ast.js";
import { accept, expected, gen, mark, name, nest, next, op, peek, peekAt, skipNewlines, spanFrom, type P, type Run } from "./core.js";

/**
 * Match patterns (language.md, "Expressions"): literals, `_`, bindings,
 * ranges, `Some(p)` / `None` / `Ok(p)` / `Err(p)`, enum variants, arrays with
 * `...rest`, objects. A capitalised name is a variant, a lower-case one binds.
 * Bracketed patterns go through `nest` (core.ts), so depth is bounded.
 */
export const pattern: P<Pattern> = gen(patternF);

const wild = (span: Pattern["span"]): Pattern => ({ kind: "PWild", span });

function patternF(run: Run): Pattern {
  const start = run(mark);
  const t = run(peek);
  if (t.kind === "num" || (t.kind === "op" && t.value === "-" && run(peekAt(1)).kind === "num")) {
    const negative = !!run(accept("op", "-"));
    const n = run(next);
    const value = (negative ? -1 : 1) * (n.num ?? 0);
    const range = run(accept("op", "..")) ?? run(accept("op", "..="));
    if (range) {
      const neg2 = !!run(accept("op", "-"));
      const end = run(next);
      if (end.kind !== "num") return run(expected<Pattern>("a number"));
      return { kind: "PRange", start: value, end: (neg2 ? -1 : 1) * (end.num ?? 0), inclusive: range.value === "..=", span: run(spanFrom(start)) };
    }
    return { kind: "PLit", value, span: run(spanFrom(start)) };
  }
  if (t.kind === "str") {
    run(next);
    return { kind: "PLit", value: t.value, span: run(spanFrom(start)) };
  }
  if (t.kind === "kw" && (t.value === "true" || t.value === "false" || t.value === "nil")) {
    run(next);
    return { kind: "PLit", value: t.value === "nil" ? null : t.value === "true", span: run(spanFrom(start)) };
  }
  if (t.kind === "op" && t.value === "[") return nest(arrayPattern, wild);
  if (t.kind === "op" && t.value === "{") return nest(objectPattern, wild);
  if (t.kind === "ident") {
    run(next);
    let variant = t.value;
    // `Severity.Warning` names the variant `Warning`.
    while (run(peek).kind === "op" && run(peek).value === "." && run(peekAt(1)).kind === "ident") {
      run(next);
      variant = run(next).value;
    }
    if (variant === "_") return { kind: "PWild", span: run(spanFrom(start)) };
    const isVariant = /^[A-Z]/.test(variant);
    if (!isVariant) return { kind: "PBind", name: variant, span: run(spanFrom(start)) };
    const args = run(peek).kind === "op" && run(peek).value === "(" ? nest(variantArgs, (): Pattern[] => []) : [];
    return { kind: "PVariant", name: variant, args, span: run(spanFrom(start)) };
  }
  return run(expected<Pattern>("a pattern"));
}

function arrayPattern(run: Run): Pattern {
  const start = run(mark);
  run(op("["));
  const elements: Pattern[] = [];
  let rest: string | null = null;
  while (!run(accept("op", "]"))) {
    if (run(accept("op", "..."))) {
      rest = run(name("a name for the rest")).value;
      run(accept("op", ","));
      run(op("]"));
      break;
    }
    elements.push(patternF(run));
    if (!run(accept("op", ","))) {
      run(op("]"));
      break;
    }
  }
  return { kind: "PArray", elements, rest, span: run(spanFrom(start)) };
}

function objectPattern(run: Run): Pattern {
  const start = run(mark);
  run(op("{"));
  const fields: { key: string; pattern: Pattern | null; span: Pattern["span"] }[] = [];
  run(skipNewlines);
  while (!run(accept("op", "}"))) {
    const fs = run(mark);
    const key = run(name("a field name", true));
    const sub = run(accept("op", ":")) ? patternF(run) : null;
    fields.push({ key: key.value, pattern: sub, span: run(spanFrom(fs)) });
    run(skipNewlines);
    if (!run(accept("op", ","))) {
      run(skipNewlines);
      run(op("}"));
      break;
    }
    run(skipNewlines);
  }
  return { kind: "PObject", fields, span: run(spanFrom(start)) };
}

function variantArgs(run: Run): Pattern[] {
  run(op("("));
  const args: Pattern[] = [];
  while (!run(accept("op", ")"))) {
    args.push(patternF(run));
    if (!run(accept("op", ","))) {
      run(op(")"));
      break;
    }
  }
  return args;
}
