import { doc, type Doc } from "prettier";
import type { Arg, BinaryOp, Expr, LambdaExpr, MatchExpr, ObjectLit, Prop, Spread } from "../frontend/ast.js";
import type { Source } from "./source.js";
import { joinLines, printList } from "./print-list.js";
import { printBlock, printBranch, printStmt } from "./print-stmt.js";
import { printParams, printPattern, printType } from "./print-types.js";

const { group, conditionalGroup, indent, line, softline, join, hardline, breakParent } = doc.builders;

/**
 * Expressions (language.md, "Expressions"). The AST keeps no parentheses, so
 * they are put back exactly where the parser (frontend/parser/expressions.ts)
 * would otherwise read a different tree: each operand states the lowest
 * precedence it may have without them.
 */

const BINARY: Record<BinaryOp, number> = {
  "??": 1, or: 2, and: 3, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "+": 7, "-": 7, "*": 8, "/": 8, "%": 8, "**": 9,
};
const COMPARE = 5;
const RANGE = 6;
const PREFIX = 10;
const POSTFIX = 11;

/**
 * `noStruct`: in a condition or subject, where `Name {` opens the body (a record literal needs parentheses there).
 * `lead`: the expression starts where a whole expression is read, so a pipe on its left needs no parentheses:
 * `values |> sum() / n` is `(values |> sum()) / n` (language.md, "Pipe").
 */
interface Ctx {
  noStruct: boolean;
  lead: boolean;
}
const FREE: Ctx = { noStruct: false, lead: true };

function precedence(e: Expr, src: Source): number {
  switch (e.kind) {
    case "Pipe":
      return 0;
    case "Binary":
      return BINARY[e.op];
    case "Compare":
      return COMPARE;
    case "Range":
      return RANGE;
    case "Unary":
      return e.op === "not" ? 4 : PREFIX;
    case "Await":
      return PREFIX;
    case "Propagate":
    case "Call":
    case "Member":
    case "Index":
      return POSTFIX;
    case "Lambda":
      // An expression body reads as far as it can: the lambda must end where its brackets do.
      return hasBraces(e, src) ? 12 : -1;
    default:
      return 12;
  }
}

function hasBraces(e: LambdaExpr, src: Source): boolean {
  return e.body.kind === "Block" && src.charAt(e.body.span.start) === "{";
}

/** An expression where any expression may stand (an argument, a value, a statement). */
export function printExpr(e: Expr, src: Source): Doc {
  return print(e, src, FREE);
}

/** An `if`/`while`/`for` condition or a `match` subject. */
export function printCond(e: Expr, src: Source): Doc {
  return print(e, src, { noStruct: true, lead: true });
}

function operand(e: Expr, min: number, src: Source, ctx: Ctx): Doc {
  const inner = { noStruct: ctx.noStruct, lead: false };
  if (precedence(e, src) < min || (ctx.noStruct && e.kind === "Record")) return ["(", print(e, src, FREE), ")"];
  return print(e, src, inner);
}

/** The left operand of a binary operator, a chain of comparisons or a range: a pipe there reads as one when the whole starts the expression. */
function leftOperand(e: Expr, min: number, src: Source, ctx: Ctx): Doc {
  if (ctx.lead && e.kind === "Pipe") return print(e, src, ctx);
  if (ctx.lead && precedence(e, src) >= min && !(ctx.noStruct && e.kind === "Record")) return print(e, src, ctx);
  return operand(e, min, src, ctx);
}

function print(e: Expr, src: Source, ctx: Ctx): Doc {
  switch (e.kind) {
    case "Num":
      return e.raw;
    case "Str":
    case "Template":
    case "JsxElement":
    case "ErrorExpr":
      // Strings keep their quotes, escapes and interpolations; JSX its own layout.
      return src.verbatim(e.span);
    case "Bool":
      return e.value ? "true" : "false";
    case "Nil":
      return "nil";
    case "Ident":
      return e.name;
    case "ImplicitMember":
      return ["." + e.name];
    case "Array":
      return bracketList("[", "]", e.elements.map((x) => printElement(x, src)));
    case "Object":
      return printObject(e.entries, src, e.span.start);
    case "Record":
      return [e.type, " ", printObject(e.fields, src, e.typeSpan.end)];
    case "Member":
      return [operand(e.object, POSTFIX, src, ctx), e.optional ? "?." : ".", e.name];
    case "Index":
      return [operand(e.object, POSTFIX, src, ctx), "[", printExpr(e.index, src), "]"];
    case "Call":
      return [operand(e.callee, POSTFIX, src, ctx), printArgs(e.args, src)];
    case "Propagate":
      return [operand(e.expr, POSTFIX, src, ctx), "!"];
    case "Unary":
      return e.op === "not" ? ["not ", operand(e.operand, COMPARE, src, ctx)] : [e.op, operand(e.operand, PREFIX, src, ctx)];
    case "Await":
      return ["await ", operand(e.expr, PREFIX, src, ctx)];
    case "Binary": {
      const p = BINARY[e.op];
      // Comparisons do not associate (`a < b < c` is a chain) and `**` groups to the right.
      const left = p === COMPARE ? COMPARE + 1 : p === 9 ? PREFIX : p;
      const right = p === 9 ? 9 : p === COMPARE ? RANGE : p + 1;
      return group([leftOperand(e.left, left, src, ctx), " ", e.op, indent([line, operand(e.right, right, src, ctx)])]);
    }
    case "Compare":
      return group(e.operands.map((o, i) => (i === 0 ? leftOperand(o, RANGE, src, ctx) : [" ", e.ops[i - 1]!, indent([line, operand(o, RANGE, src, ctx)])])));
    case "Range":
      return [leftOperand(e.start, RANGE, src, ctx), e.inclusive ? "..=" : "..", operand(e.end, RANGE + 1, src, ctx)];
    case "Pipe": {
      const stages: Expr[] = [];
      let head: Expr = e;
      while (head.kind === "Pipe") {
        stages.unshift(head.stage);
        head = head.left;
      }
      const first = leftOperand(head, 1, src, ctx);
      const rest = stages.map((s) => operand(s, POSTFIX, src, ctx));
      const broken = [first, indent(rest.map((s) => [hardline, "|> ", s]))];
      // A chain the author broke before its first `|>` stays one stage per line.
      if (src.hasNewline(head.span.end, stages[0]!.span.start)) return broken;
      return conditionalGroup([[first, rest.map((s) => [" |> ", s])], broken]);
    }
    case "Lambda":
      return printLambda(e, src);
    case "If":
      return group(
        [
          e.branches.map((b, i) => [i === 0 ? "if " : " elif ", printCond(b.cond, src), printBranch(b.body, src)]),
          e.otherwise ? [" else", printBranch(e.otherwise, src)] : "",
        ],
      );
    case "Match":
      return printMatch(e, src);
    case "Block":
      return printBlock(e, src, true);
    case "Try":
      return [
        "try ",
        printBlock(e.body, src, false),
        e.catchBody ? [" catch", e.catchName ? " " + e.catchName : "", " ", printBlock(e.catchBody, src, false)] : "",
        e.finallyBody ? [" finally ", printBlock(e.finallyBody, src, false)] : "",
      ];
  }
}

function printElement(x: Expr | Spread, src: Source): Doc {
  return x.kind === "Spread" ? ["...", printExpr(x.value, src)] : printExpr(x, src);
}

/** `[a, b]` / `(a, b)`, one per line when they do not fit (commas between, none after the last, as the spec writes them). */
function bracketList(open: string, close: string, items: Doc[]): Doc {
  if (items.length === 0) return open + close;
  return group([open, indent([softline, join([",", line], items)]), softline, close]);
}

/**
 * `{ a: 1, b }` when it fits, else one entry per line; an object the author
 * opened with a line break (after the `{`, at or after `from`) stays one entry per line.
 */
export function printObject(entries: readonly (Prop | Spread)[], src: Source, from: number): Doc {
  if (entries.length === 0) return "{}";
  const printed = entries.map((p) => (p.kind === "Spread" ? ["...", printExpr(p.value, src)] : p.shorthand ? p.key : [src.slice(p.keySpan), ": ", printExpr(p.value, src)]));
  return group([src.hasNewline(from, entries[0]!.span.start) ? breakParent : "", "{", indent([line, join([",", line], printed)]), line, "}"]);
}

/**
 * Where a `{` would open a block (a statement, a match arm's or lambda's body),
 * an object literal is one only if it starts like one: `{ key: ...`, `{ ...x`, `{ a, b`.
 */
export function readsAsObject(o: ObjectLit): boolean {
  const first = o.entries[0];
  if (!first) return false;
  if (first.kind === "Spread") return true;
  if (!first.shorthand) return /^[A-Za-z_"']/.test(first.key) || first.quoted === true;
  return o.entries.length > 1;
}

/** A value where `{` would open a block: an object that would not read as one is parenthesised. */
export function printBodyExpr(e: Expr, src: Source): Doc {
  if (e.kind === "Object" && !readsAsObject(e)) return ["(", printExpr(e, src), ")"];
  return printExpr(e, src);
}

/** `f(a, b)`; a last argument that is a function with a block, an object or an array stays on the call's line. */
function printArgs(args: readonly Arg[], src: Source): Doc {
  const printed = args.map((a) => (a.name ? [a.name, ": ", printExpr(a.value, src)] : printExpr(a.value, src)));
  const last = args[args.length - 1];
  if (last && hugs(last.value, src) && !args.slice(0, -1).some((a) => hugs(a.value, src))) {
    return ["(", join(", ", printed), ")"];
  }
  return bracketList("(", ")", printed);
}

function hugs(e: Expr, src: Source): boolean {
  if (e.kind === "Lambda") return hasBraces(e, src) || (e.body.kind !== "Block" && hugs(e.body, src));
  if (e.kind === "Match") return true;
  return (e.kind === "Object" || e.kind === "Record") && (e.kind === "Record" ? e.fields : e.entries).length > 0;
}

function printLambda(e: LambdaExpr, src: Source): Doc {
  const head = [e.async ? "async " : "", "fn", e.name ? " " + e.name : "", printParams(e.params, src), e.returnType ? [" -> ", printType(e.returnType)] : ""];
  if (hasBraces(e, src)) return [head, " ", printBlock(e.body as Extract<Expr, { kind: "Block" }>, src, true)];
  // `fn() count += 1`: an assignment, read as a block of that one statement.
  if (e.body.kind === "Block") return [head, " ", printStmt(e.body.stmts[0]!, src)];
  return [head, " ", printBodyExpr(e.body, src)];
}

function printMatch(e: MatchExpr, src: Source): Doc {
  const open = src.opAfter("{", e.subject.span.end);
  const arms = printList(src, {
    items: e.arms,
    span: (a) => a.span,
    start: open + 1,
    end: e.span.end - 1,
    print: (a) => [
      printPattern(a.pattern, src),
      a.guard ? [" if ", printExpr(a.guard, src)] : "",
      " =>",
      a.body.kind === "Block" ? printBranch(a.body, src) : [" ", printBodyExpr(a.body, src)],
    ],
  });
  if (arms.length === 0) return ["match ", printCond(e.subject, src), " {}"];
  return ["match ", printCond(e.subject, src), " {", indent([hardline, joinLines(arms)]), hardline, "}"];
}
