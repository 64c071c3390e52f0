import type * as ast from "../../../frontend/ast.js";
import { propertyName } from "../builders.js";
import { call, lambda } from "./calls.js";
import { jsx } from "./jsx.js";
import { binary, compare, ifValue } from "./conditionals.js";
import { value, type Lowered } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { matchValue } from "./match.js";
import { propagate } from "./propagate.js";
import { sequence } from "./sequence.js";
import { statementValue } from "./statements.js";

/**
 * One lowering per expression kind (style.md, "Svelte": a visitor per node
 * kind, gathered in a record so the compiler proves every kind is handled).
 * The ones with a construct of their own live in their own module.
 */
type ExprLowering = { [K in ast.Expr["kind"]]: (l: Lowerer, e: Extract<ast.Expr, { kind: K }>) => Lowered };

export const EXPRESSIONS: ExprLowering = {
  Num: (_, e) => value(numberText(e), !e.raw.includes(".") || !/[a-z]/i.test(e.raw)),
  Str: (_, e) => value(hideMarkers(JSON.stringify(e.value))),
  Template: (l, e) => template(l, e),
  Bool: (_, e) => value(String(e.value)),
  Nil: () => value("null"),
  Ident: (l, e) => {
    const local = l.scopes.lookup(e.name);
    if (local) return value(local.read);
    return value(l.ctx.reference(e.name, l.ctx.names.symbols.get(e), false));
  },
  Array: (l, e) => {
    const { pre, values } = sequence(l, e.elements.map((x) => (x.kind === "Spread" ? x.value : x)));
    return { pre, value: `[${e.elements.map((x, i) => (x.kind === "Spread" ? `...${values[i]}` : values[i])).join(", ")}]`, atomic: true };
  },
  Object: (l, e) => object(l, e.entries),
  Record: (l, e) => {
    const o = object(l, e.fields, (p, v) => (l.ctx.numberIntoOther(p.value, e.type, p.key) ? `${v} as any` : v));
    // `satisfies` checks the fields and keeps literal types; a generic record is checked by check-types alone.
    if (l.ctx.types.decls.get(e.type)?.typeParams.length) return o;
    l.ctx.useType(e.type);
    return { ...o, value: `${o.value} satisfies ${e.type}`, atomic: false };
  },
  Member: (l, e) => {
    const object = l.operand(e.object);
    const factor = l.ctx.names.durations.get(e);
    if (factor !== undefined) return { pre: object.pre, value: `${object.value} * ${factor} /* .${e.name} */`, atomic: false };
    if (l.ctx.isMapLike(e.object, null)) return { pre: object.pre, value: `${l.ctx.stdlib("mapGet")}(${object.value}, ${JSON.stringify(e.name)})`, atomic: true };
    return { pre: object.pre, value: `${object.value}${e.optional ? "?." : "."}${e.name}`, atomic: true };
  },
  Index: (l, e) => {
    const { pre, values } = sequence(l, [e.object, e.index], [true, false]);
    return { pre, value: l.ctx.index(e, values[0]!, values[1]!), atomic: true };
  },
  Call: (l, e) => call(l, e),
  Unary: (l, e) => {
    const operand = l.operand(e.operand);
    return { pre: operand.pre, value: `${e.op === "not" ? "!" : e.op}${operand.value}`, atomic: false };
  },
  Binary: (l, e) => binary(l, e),
  Compare: (l, e) => compare(l, e),
  Range: (l, e) => {
    const { pre, values } = sequence(l, [e.start, e.end], true);
    const range = l.ctx.stdlib("range");
    return { pre, value: `${range}(${values[0]}, ${e.inclusive ? `${values[1]} + 1` : values[1]})`, atomic: true };
  },
  Pipe: (l, e) => call(l, { kind: "Call", callee: e.stage, args: [{ name: null, value: e.left, span: e.left.span }], span: e.span }),
  Propagate: (l, e) => propagate(l, e),
  Lambda: (l, e) => lambda(l, e),
  ImplicitMember: (_, e) => {
    throw new Error(`internal: \`.${e.name}\` outside an argument survived lowering`);
  },
  If: (l, e) => ifValue(l, e),
  Match: (l, e) => matchValue(l, e),
  Block: (l, e) => statementValue(l, e),
  Try: (l, e) => statementValue(l, e),
  Await: (l, e) => {
    const inner = e.expr.kind === "Call" ? call(l, e.expr, true) : l.operand(e.expr);
    const text = inner.atomic ? inner.value : `(${inner.value})`;
    return { pre: inner.pre, value: `await ${text}`, atomic: false };
  },
  JsxElement: (l, e) => jsx(l, e),
  ErrorExpr: () => value("undefined as never", false),
};

function object(l: Lowerer, entries: readonly (ast.Prop | ast.Spread)[], field?: (p: ast.Prop, value: string) => string): Lowered {
  if (!entries.length) return value("{}");
  const { pre, values } = sequence(l, entries.map((x) => x.value), entries.map((x) => !!field && x.kind === "Prop" && l.ctx.numberIntoOther(x.value, null, x.key)));
  const parts = entries.map((x, i) => {
    const v = x.kind === "Prop" && field ? field(x, values[i]!) : values[i]!;
    if (x.kind === "Spread") return `...${v}`;
    const key = propertyName(x.key);
    return v === key ? key : `${key}: ${v}`;
  });
  return { pre, value: `{ ${parts.join(", ")} }`, atomic: true };
}

/**
 * `"hi {name}"`: a template literal. Values whose type shows as itself (text,
 * numbers, Bools) are interpolated as they are; otherwise the literal is tagged
 * with the runtime's `fmt`, which shows each value the way Tova writes it.
 */
function template(l: Lowerer, e: ast.TemplateLit): Lowered {
  const exprs = e.parts.filter((p): p is ast.Expr => typeof p !== "string");
  const { pre, values } = sequence(l, exprs);
  let i = 0;
  const text = e.parts.map((p) => (typeof p === "string" ? escapeTemplate(p) : `\${${l.ctx.interpolate(p, values[i++]!)}}`)).join("");
  const tag = exprs.some((x) => !l.ctx.showsItself(x)) ? l.ctx.stdlib("fmt") : "";
  return { pre, value: `${tag}\`${text}\``, atomic: true };
}

/** Text of a template literal, with control characters written as escapes, as a person would. */
function escapeTemplate(text: string): string {
  return hideMarkers(text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r"));
}

/**
 * Text that looks like a source marker (`/*@0:12*\/`, builders.ts) inside a string literal is written
 * with its `@` escaped, so neither `stripMarkers` nor the source maps take it for one.
 */
function hideMarkers(literal: string): string {
  return literal.replace(/\/\*@/g, "/*\\u0040");
}

function numberText(e: ast.NumLit): string {
  const suffix = /[a-z]+$/i.exec(e.raw.replace(/^0x[0-9a-f_]+$/i, ""));
  const text = Number.isInteger(e.value) && Math.abs(e.value) >= 10_000 && Math.abs(e.value) < 1e15 ? e.value.toLocaleString("en-US").replace(/,/g, "_") : String(e.value);
  if (suffix && e.raw.includes(".") && /[a-z]/i.test(e.raw.split(".").pop()!)) return `${text} /* ${e.raw} */`;
  return e.raw.startsWith("0x") ? e.raw : text;
}
