import type * as ast from "../../../frontend/ast.js";
import type { Span } from "../../../frontend/span.js";
import { variantField } from "../types.js";
import { armValue, assignTo, type Lowered, type Tail } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { assignValue, breaksOrContinues } from "./statements.js";
import { block, endsAbruptly, ifElse, line, type TsStmt } from "./ts-stmt.js";

/**
 * `match` (language.md, "match"): the subject is evaluated once; an arm's
 * guard only when its pattern matched, its body only when it is taken.
 *
 * - as a value with one-expression arms: a chain of conditional expressions;
 * - as statements: a `switch` over literals and unit variants, `if (c) { }`
 *   for a Bool, otherwise an `if` chain; a guard that needs statements makes
 *   the chain a labelled block the taken arm leaves with `break`.
 */
export function matchValue(l: Lowerer, e: ast.MatchExpr): Lowered {
  if (l.hasPre(e)) {
    const t = l.scopes.temp("value");
    return { pre: [line(`let ${t}: ${l.ctx.valueType(e)}`, e.span), ...matchStatement(l, e, assignTo(t), e.span)], value: t, atomic: true };
  }
  const subject = l.operand(e.subject).value;
  const arms = e.arms.map((arm) =>
    l.scopes.nested(() => {
      const test = pattern(l, arm.pattern, subject);
      const guard = arm.guard ? l.operand(arm.guard).value : null;
      return { cond: [test, guard].filter((c): c is string => !!c && c !== "true").join(" && "), value: l.operand(armValue(arm)!).value };
    }),
  );
  const last = arms[arms.length - 1]!;
  let acc = lastNeedsNoTest(e) || !last.cond ? last.value : `${last.cond} ? ${last.value} : ${l.ctx.stdlib("matchFailed")}(${subject})`;
  for (let i = arms.length - 2; i >= 0; i--) {
    const a = arms[i]!;
    acc = a.cond ? `${a.cond} ? ${a.value} : ${acc}` : a.value;
  }
  return { pre: [], value: acc, atomic: false };
}

export function matchStatement(l: Lowerer, e: ast.MatchExpr, tail: Tail, span: Span): TsStmt[] {
  const pre: TsStmt[] = [];
  const lowered = l.operand(e.subject);
  pre.push(...lowered.pre);
  let subject = lowered.value;
  if (!l.isSimple(e.subject)) {
    subject = l.scopes.temp("subject");
    // A subject Tova knows only in part (`[a, b]` of two enums) is as dynamic to TypeScript as to Tova.
    const type = l.ctx.dynamicPart(e.subject) ? `: ${l.ctx.valueType(e.subject)}` : "";
    pre.push(line(`const ${subject}${type} = ${lowered.value}`, e.subject.span));
  }
  if (isBoolMatch(e)) return [...pre, ...boolMatch(l, e, subject, tail, span)];
  if (switchable(l, e)) return [...pre, switchStatement(l, e, subject, tail, span)];
  if (e.arms.some((a) => a.guard && l.hasPre(a.guard))) return [...pre, ...labelledChain(l, e, subject, tail, span)];
  const parts: { head: string; body: TsStmt[] }[] = [];
  for (let i = 0; i < e.arms.length; i++) {
    const arm = e.arms[i]!;
    const done = l.scopes.nested(() => {
      const test = pattern(l, arm.pattern, subject);
      const guard = arm.guard ? l.operand(arm.guard).value : null;
      let cond = [test, guard].filter((c): c is string => !!c && c !== "true").join(" && ");
      // The last arm of an exhaustive match needs no test (check-types made sure of it).
      if (i === e.arms.length - 1 && parts.length && lastNeedsNoTest(e)) cond = "";
      const body = armBody(l, arm.body, tail);
      const empty = arm.body.kind === "Block" && arm.body.stmts.length === 0;
      if (!cond && empty && tail.kind === "discard" && parts.length) return true; // `_ => {}`: nothing to write
      parts.push({ head: cond ? `${parts.length ? "else if" : "if"} (${cond})` : parts.length ? "else" : "", body });
      return !cond;
    });
    if (done) break;
  }
  if (parts[0]!.head === "") return [...pre, block("", parts[0]!.body, span)];
  // No arm applies (a literal or array match without `_`): fail loudly rather than fall through.
  if (tail.kind !== "discard" && !parts.some((p) => p.head === "else")) {
    parts.push({ head: "else", body: failed(l, subject, tail) });
  }
  return [...pre, { kind: "chain", parts, span }];
}

function failed(l: Lowerer, subject: string, tail: Tail): TsStmt[] {
  const call = `${l.ctx.stdlib("matchFailed")}(${subject})`;
  return tail.kind === "return" ? [line(`return ${call}`)] : tail.kind === "assign" ? assignValue(tail.to, call) : [line(call)];
}

/** Guards that need statements: each arm tests, runs its guard's statements, and leaves the block when taken. */
function labelledChain(l: Lowerer, e: ast.MatchExpr, subject: string, tail: Tail, span: Span): TsStmt[] {
  const label = l.scopes.temp("match");
  const body: TsStmt[] = [];
  for (const arm of e.arms) {
    l.scopes.nested(() => {
      const test = pattern(l, arm.pattern, subject);
      const taken = [...armBody(l, arm.body, tail)];
      if (!endsAbruptly(taken)) taken.push(line(`break ${label}`));
      let inner: TsStmt[] = taken;
      if (arm.guard) {
        const guard = l.expr(arm.guard);
        inner = [...guard.pre, ifElse(guard.value, taken, null, arm.guard.span)];
      }
      body.push(...(test === "true" ? inner : [ifElse(test, inner, null, arm.span)]));
    });
  }
  if (tail.kind !== "discard") body.push(...failed(l, subject, tail));
  return [block(`${label}:`, body, span)];
}

function armBody(l: Lowerer, body: ast.Expr, tail: Tail): TsStmt[] {
  if (body.kind === "Block") return l.stmts(body.stmts, tail);
  return l.stmts([{ kind: "ExprStmt", expr: body, span: body.span }], tail);
}

/** `true`/`false` arms (at most one `_`): an `if`. A match with only `_` is not one (its body would be written twice). */
function isBoolMatch(e: ast.MatchExpr): boolean {
  const bool = (a: ast.MatchArm) => a.pattern.kind === "PLit" && typeof a.pattern.value === "boolean";
  return e.arms.length <= 2 && e.arms.some(bool) && e.arms.every((a) => !a.guard && (bool(a) || a.pattern.kind === "PWild"));
}

/** `match c { true => a, false => b }` is `if (c) { a } else { b }`. */
function boolMatch(l: Lowerer, e: ast.MatchExpr, cond: string, tail: Tail, span: Span): TsStmt[] {
  const arm = (v: boolean) => e.arms.find((a) => a.pattern.kind === "PLit" && a.pattern.value === v) ?? e.arms.find((a) => a.pattern.kind === "PWild");
  const whenTrue = arm(true);
  const whenFalse = arm(false);
  if (whenTrue === whenFalse) return l.scopes.nested(() => armBody(l, whenTrue!.body, tail)); // `true => x, _ => x`: one body
  const body = (a: ast.MatchArm | undefined) => (a ? l.scopes.nested(() => armBody(l, a.body, tail)) : tail.kind === "assign" ? assignValue(tail.to, "null") : []);
  const t = body(whenTrue);
  const f = body(whenFalse);
  if (!t.length && !f.length) return [];
  if (!t.length) return [ifElse(`!(${cond})`, f, null, span)];
  return [ifElse(cond, t, f.length ? f : null, span)];
}

/** Literal and unit-variant patterns with no guards (and a trailing `_`) make a `switch`. */
function switchable(l: Lowerer, e: ast.MatchExpr): boolean {
  // `break` in a `case` would leave the switch, not the loop around the match.
  if (e.arms.some((a) => breaksOrContinues(a.body))) return false;
  return e.arms.every((a, i) => {
    if (a.guard) return false;
    const p = a.pattern;
    if (p.kind === "PWild") return i === e.arms.length - 1;
    if (p.kind === "PLit") return typeof p.value === "string" || typeof p.value === "number";
    return p.kind === "PVariant" && p.args.length === 0 && l.ctx.isUnitVariant(p.name);
  });
}

function switchStatement(l: Lowerer, e: ast.MatchExpr, subject: string, tail: Tail, span: Span): TsStmt {
  const cases: TsStmt[] = e.arms.map((arm) => {
    const p = arm.pattern;
    const label = p.kind === "PWild" ? "default:" : `case ${JSON.stringify(p.kind === "PLit" ? p.value : (p as { name: string }).name)}:`;
    const body = l.scopes.nested(() => armBody(l, arm.body, tail));
    if (!endsAbruptly(body)) body.push(line("break"));
    return block(label, body);
  });
  if (tail.kind !== "discard" && !e.arms.some((a) => a.pattern.kind === "PWild")) {
    cases.push(block("default:", failed(l, subject, tail)));
  }
  return block(`switch (${subject})`, cases, span);
}

/**
 * The last arm of an exhaustive match needs no test (check-types made sure
 * nothing else is left) when every arm before it is a plain variant or Bool
 * test: that is also when TypeScript narrows the subject to the last variant,
 * so its fields can be read without the test.
 */
function lastNeedsNoTest(e: ast.MatchExpr): boolean {
  return exhaustiveTail(e.arms[e.arms.length - 1]!) && e.arms.slice(0, -1).every(exhaustiveTail);
}

/** An arm that needs no test when it is last: a variant or Bool arm with nothing refutable inside and no guard. */
function exhaustiveTail(arm: ast.MatchArm): boolean {
  const p = arm.pattern;
  if (arm.guard) return false;
  if (p.kind === "PWild" || p.kind === "PBind") return true;
  if (p.kind === "PLit") return typeof p.value === "boolean";
  return p.kind === "PVariant" && p.args.every((a) => a.kind === "PWild" || a.kind === "PBind");
}

/**
 * The condition for a pattern against `subject` (or "true"); bindings are
 * declared in the current scope as aliases of the matched part.
 */
export function pattern(l: Lowerer, p: ast.Pattern, subject: string): string {
  switch (p.kind) {
    case "PWild":
      return "true";
    case "PBind":
      l.scopes.alias(p.name, subject);
      return "true";
    case "PLit":
      // `nil` matches a missing JS value as well (decisions.md: null and undefined are one value).
      return p.value === null ? `${subject} == null` : `${subject} === ${JSON.stringify(p.value)}`;
    case "PRange":
      return `${subject} >= ${p.start} && ${subject} ${p.inclusive ? "<=" : "<"} ${p.end}`;
    case "PVariant": {
      const conds: string[] = [];
      const sub = (i: number, access: string) => {
        const arg = p.args[i];
        if (!arg) return;
        const c = pattern(l, arg, access);
        if (c !== "true") conds.push(c);
      };
      switch (p.name) {
        case "Some":
          conds.push(`${subject} != null`);
          sub(0, subject);
          break;
        case "None":
          conds.push(`${subject} == null`);
          break;
        case "Ok":
          conds.push(`${subject}.ok`);
          sub(0, `${subject}.value`);
          break;
        case "Err":
          conds.push(`!${subject}.ok`);
          sub(0, `${subject}.error`);
          break;
        default: {
          if (l.ctx.isUnitVariant(p.name)) {
            conds.push(`${subject} === ${JSON.stringify(p.name)}`);
            break;
          }
          conds.push(`${subject}.tag === ${JSON.stringify(p.name)}`);
          const fields = l.ctx.variantFields(p.name);
          p.args.forEach((_, i) => sub(i, `${subject}.${variantField(fields[i] ?? "", i)}`));
        }
      }
      return conds.join(" && ") || "true";
    }
    case "PArray": {
      const conds = [`${l.ctx.stdlib("isArray")}(${subject})`, `${subject}.length ${p.rest ? ">=" : "==="} ${p.elements.length}`];
      p.elements.forEach((el, i) => {
        const c = pattern(l, el, `${subject}[${i}]`);
        if (c !== "true") conds.push(c);
      });
      if (p.rest) l.scopes.alias(p.rest, `${subject}.slice(${p.elements.length})`);
      return conds.join(" && ");
    }
    case "PObject": {
      const conds = [`${subject} != null`];
      for (const f of p.fields) {
        const access = `${subject}.${f.key}`;
        if (f.pattern) {
          const c = pattern(l, f.pattern, access);
          if (c !== "true") conds.push(c);
        } else l.scopes.alias(f.key, access);
      }
      return conds.join(" && ");
    }
  }
}
