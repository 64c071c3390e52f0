import type * as ast from "../../../frontend/ast.js";
import { tsType } from "../types.js";
import { safeName } from "../hygiene.js";
import { DISCARD, RETURN, type Lowered, type Tail } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { sequence } from "./sequence.js";
import { block, type TsStmt } from "./ts-stmt.js";
import { renderStmts } from "./render.js";

/**
 * Calls and lambdas. The callee and the arguments are evaluated left to
 * right; `obj.m(args)` keeps `obj` as the receiver. Calls answered over the
 * network (peers, `server.f()`) and of async functions are awaited, which
 * makes the enclosing function async (context.ts, `isAsyncCall`).
 */
export function call(l: Lowerer, e: ast.CallExpr, alreadyAwaited = false): Lowered {
  const callee = e.callee;
  let pre: TsStmt[];
  let text: string;
  if (callee.kind === "Member" && !l.ctx.names.durations.has(callee)) {
    // The receiver is evaluated once, before the arguments.
    const parts = sequence(l, [callee.object, ...e.args.map((a) => a.value)], [true, ...e.args.map(() => false)]);
    pre = parts.pre;
    const [receiver, ...args] = parts.values;
    text = `${receiver}${callee.optional ? "?." : "."}${callee.name}(${args.join(", ")})`;
  } else {
    const sym = callee.kind === "Ident" && !l.scopes.lookup(callee.name) ? l.ctx.names.symbols.get(callee) : undefined;
    // A collection function given a callback that waits is its awaiting variant (runtime/stdlib/awaiting.ts).
    const variant = sym?.kind === "builtin" ? l.ctx.awaitingVariant(e) : null;
    const parts = variant
      ? sequence(l, e.args.map((a) => a.value), e.args.map(() => false))
      : sequence(l, [callee, ...e.args.map((a) => a.value)], [true, ...e.args.map(() => false)]);
    pre = parts.pre;
    const [fn, ...args] = variant ? [l.ctx.stdlib(variant), ...parts.values] : parts.values;
    const special = sym && callee.kind === "Ident" ? l.ctx.specialCall(callee.name, sym, args) : null;
    if (special) return { pre, value: special, atomic: false };
    text = `${fn}(${formatted(l, e, sym?.kind === "builtin" && callee.kind === "Ident" ? callee.name : null, args).join(", ")})`;
  }
  if (!alreadyAwaited && l.inAsync && l.ctx.isAsyncCall(e)) return { pre, value: `await ${text}`, atomic: false };
  return { pre, value: text, atomic: true };
}

/**
 * Arguments of the functions that show values (`print`, `to_string`): a value
 * whose type the runtime cannot see (an Option's `Some`, a record's name) is
 * shown with its schema (runtime/README.md, `show`).
 */
function formatted(l: Lowerer, e: ast.CallExpr, builtin: string | null, args: string[]): string[] {
  if (builtin === "print") return args.map((a, i) => l.ctx.printed(e.args[i]!.value, a));
  if (builtin === "to_string" && args.length === 1) {
    const schema = l.ctx.formatSchema(e.args[0]!.value);
    if (schema) return [args[0]!, schema];
  }
  return args;
}

/** `fn(x) body`: an arrow function; its body is a function body of its own (a `!` in it returns from the lambda). */
export function lambda(l: Lowerer, e: ast.LambdaExpr, tail: Tail = RETURN): Lowered {
  const isAsync = e.async || l.needsAsync(e.body);
  return l.inFunction(isAsync, () => {
    const params = e.params.map((p) => {
      const ts = l.scopes.declareParam(p.name);
      return `${ts}: ${tsType(p.type, l.ctx.useType)}`;
    });
    const ret = e.returnType ? `: ${tsType(e.returnType, l.ctx.useType)}` : "";
    const head = `${isAsync ? "async " : ""}(${params.join(", ")})${ret} =>`;
    if (e.body.kind !== "Block" && tail.kind === "return" && !l.hasPre(e.body)) {
      const body = l.expr(e.body).value;
      return { pre: [], value: `${head} ${body.startsWith("{") ? `(${body})` : body}`, atomic: false };
    }
    const stmts: ast.Stmt[] = e.body.kind === "Block" ? e.body.stmts : [{ kind: "ExprStmt", expr: e.body, span: e.body.span }];
    const body = l.stmts(stmts, tail);
    return { pre: [], value: `${head} ${renderStmts(l.ctx, [block("", body)]).trim()}`, atomic: false };
  });
}

/** A callback whose result nobody reads (hooks, handlers, effects): its last statement is not returned. */
export function handler(l: Lowerer, e: ast.LambdaExpr): Lowered {
  return lambda(l, e, DISCARD);
}

/** Parameters as TypeScript (`name: Type`, defaults kept, untyped ones `any`), declared in the current scope. */
export function params(l: Lowerer, ps: readonly { name: string; type: ast.TypeExpr | null; default: ast.Expr | null }[]): string[] {
  const isOption = (p: (typeof ps)[number]) => p.type?.kind === "TName" && p.type.name === "Option";
  return ps.map((p, i) => {
    const type = tsType(p.type, l.ctx.useType);
    const optionalOption = isOption(p) && !p.default && ps.slice(i + 1).every((q) => q.default || isOption(q));
    let dflt = "";
    if (p.default) {
      const d = l.expr(p.default);
      if (d.pre.length) throw new Error("internal: a parameter default that needs statements");
      dflt = ` = ${d.value}`;
    } else if (optionalOption) dflt = " = null";
    return `${l.scopes.declareParam(p.name)}: ${type}${dflt}`;
  });
}

export { safeName };
