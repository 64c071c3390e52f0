import type * as ast from "../../frontend/ast.js";
import { didYouMean } from "../../diagnostics/catalog.js";
import { element } from "./builtins.js";
import { call, memberType } from "./calls.js";
import type { Checker } from "./checker.js";
import { bindPattern, checkVariantsFit } from "./patterns.js";
import { checkBody, narrowings, statements } from "./statements.js";
import { ANY, array, BOOL, FLOAT, fn, INT, isDefinite, isNumeric, join, map, named, NEVER, NIL, option, show, STRING, type Ty } from "./ty.js";

/**
 * One inference per expression kind (the compiler checks every kind is
 * handled). `expected` is the type the context wants, when it knows one:
 * it types `[]`, `nil`, `Ok(x)` and lambda parameters, and is checked by
 * whoever asked for it (`Checker.check`), not here.
 */
type Inference = { [K in ast.Expr["kind"]]: (c: Checker, e: Extract<ast.Expr, { kind: K }>, expected: Ty | null) => Ty };

export const EXPRESSIONS: Inference = {
  Num: (_, e) => (/[.eE]/.test(e.raw) && !/^0x/i.test(e.raw) && !/\.[a-z]/i.test(e.raw) ? FLOAT : INT),
  Str: () => STRING,
  Template: (c, e) => {
    for (const p of e.parts) if (typeof p !== "string") c.infer(p);
    return STRING;
  },
  Bool: () => BOOL,
  Nil: () => NIL,
  Ident: (c, e, expected) => {
    const local = c.local(e.name);
    if (local) return local.ty;
    const sym = c.names.symbols.get(e);
    return sym ? c.symbolType(e.name, sym, expected) : ANY;
  },
  Array: (c, e, expected) => {
    const want = expected?.k === "array" ? expected.el : null;
    let el: Ty = NEVER;
    for (const x of e.elements) {
      if (x.kind === "Spread") {
        const t = c.infer(x.value, expected);
        el = join(el, element(t));
      } else el = join(el, c.infer(x, want));
    }
    if (el.k === "never" && want) return array(want);
    // A list of unrelated types is how a program writes a tuple (`match [state, event] { ... }`):
    // its elements are dynamic, without the alternatives an `if`'s branches would keep.
    return array(el.k === "any" ? ANY : el);
  },
  Object: (c, e, expected) => objectType(c, e, expected),
  Record: (c, e) => recordType(c, e),
  Member: (c, e) => memberType(c, e),
  Index: (c, e) => indexType(c, e),
  Call: (c, e, expected) => call(c, e, expected),
  Unary: (c, e) => {
    const t = c.infer(e.operand);
    if (e.op !== "-") return BOOL;
    if (isNumeric(t) || t.k === "any") return t;
    c.error("E0209", e.operand.span, `\`-\` needs a number, but this is ${show(t)}`, t.k === "option" ? optionHint : undefined);
    return ANY;
  },
  Binary: (c, e) => binary(c, e),
  Compare: (c, e) => {
    e.operands.forEach((o) => comparable(c, o, c.infer(o), "<"));
    return BOOL;
  },
  Range: (c, e) => {
    c.check(e.start, INT, () => "the start of a range");
    c.check(e.end, INT, () => "the end of a range");
    return array(INT);
  },
  Pipe: (c, e, expected) => call(c, { kind: "Call", callee: e.stage, args: [{ name: null, value: e.left, span: e.left.span }], span: e.span }, expected),
  Propagate: (c, e) => propagate(c, e),
  Lambda: (c, e, expected) => lambda(c, e, expected),
  ImplicitMember: () => ANY,
  If: (c, e, expected) => {
    let t: Ty = NEVER;
    const falses: [string, Ty, Ty][] = [];
    for (const b of e.branches) {
      c.infer(b.cond);
      const trues = narrowings(c, b.cond, true);
      t = join(t, c.withFrame(() => {
        for (const [n, ty, was] of [...falses, ...trues]) c.narrow(n, ty, was);
        return statements(c, b.body.stmts, expected);
      }));
      falses.push(...narrowings(c, b.cond, false));
    }
    if (!e.otherwise) return t.k === "never" ? NIL : option(t);
    return join(t, c.withFrame(() => {
      for (const [n, ty, was] of falses) c.narrow(n, ty, was);
      return statements(c, e.otherwise!.stmts, expected);
    }));
  },
  Match: (c, e, expected) => {
    let subject = c.infer(e.subject);
    checkVariantsFit(c, e, subject);
    let t: Ty = NEVER;
    for (const arm of e.arms) {
      const here = subject;
      // After an unguarded `nil`/`None` arm, the later arms see the value inside (TypeScript narrows the same way).
      if (!arm.guard && subject.k === "option" && isNilPattern(arm.pattern)) subject = subject.inner;
      t = join(t, c.withFrame(() => {
        bindPattern(c, arm.pattern, here);
        if (arm.guard) c.infer(arm.guard);
        return arm.body.kind === "Block" ? statements(c, arm.body.stmts, expected) : c.infer(arm.body, expected);
      }));
    }
    return t;
  },
  Block: (c, e, expected) => c.withFrame(() => statements(c, e.stmts, expected)),
  Await: (c, e) => {
    const t = c.infer(e.expr);
    return t.k === "promise" ? t.inner : t;
  },
  Try: (c, e, expected) => {
    let t = c.withFrame(() => statements(c, e.body.stmts, expected));
    if (e.catchBody) {
      t = join(t, c.withFrame(() => {
        if (e.catchName) c.define(e.catchName, ANY);
        return statements(c, e.catchBody!.stmts, expected);
      }));
    }
    if (e.finallyBody) c.withFrame(() => statements(c, e.finallyBody!.stmts));
    return t;
  },
  JsxElement: (c, e) => {
    jsx(c, e);
    return ANY;
  },
  ErrorExpr: () => ANY,
};

function isNilPattern(p: ast.Pattern): boolean {
  return (p.kind === "PLit" && p.value === null) || (p.kind === "PVariant" && p.name === "None");
}

export const optionHint = "it may be None: unwrap it with `!`, `?? default` or `unwrapOr(...)`, or `match` on it";

function binary(c: Checker, e: ast.BinaryExpr): Ty {
  if (e.op === "and" || e.op === "or") {
    const l = c.infer(e.left);
    // The right side is evaluated only when the left is true (`and`) or false (`or`): it sees what that says.
    const r = c.withFrame(() => {
      for (const [n, ty, was] of narrowings(c, e.left, e.op === "and")) c.narrow(n, ty, was);
      return c.infer(e.right);
    });
    if (l.k === "bool" && r.k === "bool") return BOOL;
    if (e.op === "or" && l.k === "option") return join(l.inner, r);
    return l.k === "any" || r.k === "any" ? ANY : join(l, r);
  }
  if (e.op === "??") {
    const l = c.infer(e.left);
    const inner = l.k === "option" ? l.inner : l.k === "nil" ? NEVER : l;
    return join(inner, c.infer(e.right, inner.k === "any" || inner.k === "never" ? null : inner));
  }
  const l = c.infer(e.left);
  const r = c.infer(e.right);
  switch (e.op) {
    case "==":
    case "!=":
      if (isDefinite(l) && isDefinite(r) && !(isNumeric(l) && isNumeric(r)) && l.k !== r.k) {
        c.error("E0213", e.span, `comparing ${show(l)} with ${show(r)} is always ${e.op === "==" ? "false" : "true"}`, "convert one side first, e.g. `to_string(...)` or `to_int(...)`");
      } else if (l.k === "named" && r.k === "named" && l.name !== r.name) {
        c.error("E0213", e.span, `comparing ${show(l)} with ${show(r)} is always ${e.op === "==" ? "false" : "true"}`);
      }
      return BOOL;
    case "<":
    case "<=":
    case ">":
    case ">=":
      comparable(c, e.left, l, e.op);
      comparable(c, e.right, r, e.op);
      return BOOL;
    case "+":
      if (l.k === "string" || r.k === "string") {
        for (const [x, t] of [[e.left, l], [e.right, r]] as const) if (t.k === "option") c.error("E0209", x.span, `this is ${show(t)}, which may be None`, optionHint);
        return STRING;
      }
      return arithmetic(c, e, l, r);
    default:
      return arithmetic(c, e, l, r);
  }
}

function arithmetic(c: Checker, e: ast.BinaryExpr, l: Ty, r: Ty): Ty {
  let ok = true;
  for (const [x, t] of [[e.left, l], [e.right, r]] as const) {
    if (isNumeric(t) || t.k === "any" || t.k === "never") continue;
    ok = false;
    const what = e.op === "+" ? "numbers or text" : "numbers";
    c.error("E0209", x.span, `\`${e.op}\` needs ${what}, but this is ${show(t)}`, t.k === "option" ? optionHint : t.k === "string" ? "read a number from text with `to_int(...)` or `to_float(...)`" : undefined);
  }
  if (!ok || l.k === "any" || r.k === "any") return ANY;
  if (l.k === "never" || r.k === "never") return l.k === "never" ? r : l; // one side never produces a value (`Err(e)!`)
  // `/` divides as JavaScript does: 7 / 2 is 3.5, a Float (an Int result needs `floor`, `round` or `ceil`).
  if (e.op === "/") return FLOAT;
  return l.k === "int" && r.k === "int" ? INT : FLOAT;
}

function comparable(c: Checker, x: ast.Expr, t: Ty, op: string): void {
  if (isNumeric(t) || t.k === "string" || t.k === "any" || t.k === "never" || t.k === "param") return;
  c.error("E0209", x.span, `\`${op}\` compares numbers or text, but this is ${show(t)}`, t.k === "option" ? optionHint : undefined);
}

/** `e!` (language.md, "Propagate"): the value inside, or the function returns the Err or None. */
function propagate(c: Checker, e: ast.PropagateExpr): Ty {
  const t = c.infer(e.expr);
  const ctx = c.fnCtx;
  if (!ctx || ctx.kind === "top") {
    c.error("E0211", e.span, "`!` returns from the function it is written in, but this is not inside a function", "use `match`, or `unwrapOr(...)` to give a default");
    return t.k === "result" ? t.ok : t.k === "option" ? t.inner : ANY;
  }
  if (t.k === "any") {
    ctx.returns.push(ANY);
    return ANY;
  }
  const ret = ctx.ret;
  if (t.k === "result") {
    if (ret && ret.k === "option") c.error("E0211", e.span, `\`!\` on a Result returns its Err, but this function returns ${show(ret)}`, "turn the Err into None with `match`, or declare the function `-> Result<...>`");
    else if (ret && ret.k === "result" && !c.assignable(t.err, ret.err)) c.error("E0211", e.span, `\`!\` returns this Err (${show(t.err)}), but the function returns ${show(ret)}`, "make the error types agree, e.g. turn it into text with `match`");
    else if (ret && ret.k !== "result" && ret.k !== "any") c.error("E0211", e.span, `\`!\` returns the Err from this function, which is declared \`${show(ret)}\``, `declare it \`-> Result<${show(ret)}, ${show(t.err)}>\`, or handle the Err with \`match\``);
    ctx.returns.push({ k: "result", ok: NEVER, err: t.err });
    return t.ok;
  }
  if (t.k === "option" || t.k === "nil") {
    if (ret && ret.k === "result") c.error("E0211", e.span, `\`!\` on an Option returns None, but this function returns ${show(ret)}`, "turn it into a Result first: `... |> ok_or(\"why\")!`");
    else if (ret && ret.k !== "option" && ret.k !== "any" && ret.k !== "nil") c.error("E0211", e.span, `\`!\` returns None from this function, which is declared \`${show(ret)}\``, `declare it \`-> Option<${show(ret)}>\`, or give a default with \`unwrapOr(...)\``);
    ctx.returns.push(NIL);
    return t.k === "option" ? t.inner : NEVER;
  }
  c.error("E0211", e.span, `\`!\` unwraps a Result or an Option, but this is ${show(t)}`, "remove the `!`");
  return t;
}

function lambda(c: Checker, e: ast.LambdaExpr, expected: Ty | null): Ty {
  const want = expected?.k === "fn" ? expected : null;
  // Untyped parameters are dynamic, as everywhere (decisions.md, "Gradual typing": annotations are checked
  // where present; monitoring-service.md sorts `String` timestamps that hold numbers with `fn(a, b) b.timestamp - a.timestamp`).
  void want;
  const ps = e.params.map((p) => (p.type ? c.decls.ty(p.type, c.fnCtx?.typeParams) : ANY));
  const declared = e.returnType ? c.decls.ty(e.returnType, c.fnCtx?.typeParams) : null;
  c.forgetMutableNarrowing();
  try {
    const ret = checkBody(c, { params: e.params.map((p, i) => ({ name: p.name, ty: ps[i]!, default: p.default })), body: e.body, ret: declared, typeParams: c.fnCtx?.typeParams ?? new Set(), kind: "lambda" });
    if (!declared) c.info.returns.set(e, ret);
    return fn(ps, declared ?? ret, e.params.filter((p) => !p.default).length, null, e.params.map((p) => p.name));
  } finally {
    c.popFrame();
  }
}

/**
 * An object literal: a map when its keys are written as strings (decisions.md,
 * "Maps"), or when a map is expected; otherwise an object with these fields.
 */
function objectType(c: Checker, e: ast.ObjectLit, expected: Ty | null): Ty {
  const props = e.entries.filter((x): x is ast.Prop => x.kind === "Prop");
  const recordFields = expected?.k === "named" ? c.decls.fields(expected.name, expected.args) : null;
  if (expected?.k === "map" || (props.length > 0 && props.length === e.entries.length && props.every((p) => p.quoted)) || (e.entries.length === 0 && !recordFields)) {
    const want = expected?.k === "map" ? expected.value : null;
    let value: Ty = NEVER;
    for (const x of e.entries) {
      const t = c.infer(x.value, x.kind === "Spread" ? expected : want);
      value = join(value, x.kind === "Spread" ? (t.k === "map" ? t.value : ANY) : t);
    }
    return map(value.k === "never" ? (want ?? NEVER) : value);
  }
  const fields = new Map<string, Ty>();
  let dynamic = false;
  for (const x of e.entries) {
    if (x.kind === "Spread") {
      const t = c.infer(x.value);
      const spread = t.k === "object" ? t.fields : t.k === "named" ? c.decls.fields(t.name, t.args) : null;
      if (spread) for (const [k, v] of spread) fields.set(k, v);
      else dynamic = true;
      continue;
    }
    fields.set(x.key, c.infer(x.value, recordFields?.get(x.key) ?? null));
  }
  if (e.fromNamedArgs) return ANY;
  return dynamic ? ANY : { k: "object", fields };
}

/** `User { ... }`: the record type (fields checked by check-types for names, here for types). */
function recordType(c: Checker, e: ast.RecordLit): Ty {
  const decl = c.decls.types.get(e.type);
  const generic = new Set(decl?.typeParams ?? []);
  const fields = c.decls.fields(e.type, decl ? decl.typeParams.map((p) => ({ k: "param", name: p }) as Ty) : []);
  const bound = new Map<string, Ty>();
  for (const f of e.fields) {
    const want = fields?.get(f.key);
    const t = c.infer(f.value, want && !containsParam(want, generic) ? want : null);
    if (want && !containsParam(want, generic) && !c.assignable(t, want)) c.mismatch(f.value.span, `field \`${f.key}\` of \`${e.type}\``, want, t);
    if (want?.k === "param" && generic.has(want.name) && !bound.has(want.name)) bound.set(want.name, t);
  }
  return named(e.type, decl ? decl.typeParams.map((p) => bound.get(p) ?? ANY) : []);
}

function containsParam(t: Ty, params: ReadonlySet<string>): boolean {
  if (!params.size) return false;
  switch (t.k) {
    case "param": return params.has(t.name);
    case "array": return containsParam(t.el, params);
    case "map": return containsParam(t.value, params);
    case "option": return containsParam(t.inner, params);
    case "result": return containsParam(t.ok, params) || containsParam(t.err, params);
    case "named": return t.args.some((a) => containsParam(a, params));
    default: return false;
  }
}

function indexType(c: Checker, e: ast.IndexExpr): Ty {
  const object = c.infer(e.object);
  const index = c.infer(e.index);
  switch (object.k) {
    case "array":
      if (!c.assignable(index, INT)) c.mismatch(e.index.span, "a list index", INT, index);
      return object.el;
    case "map":
      // nil when the key is missing (decisions.md, "Maps"): an Option, unwrapped with `?? default`,
      // `unwrapOr`, `!` or `match`, so a missing key is never a crash or `nil + 1` at run time.
      if (!c.assignable(index, STRING)) c.mismatch(e.index.span, "a map key", STRING, index);
      return option(object.value);
    case "string":
      return STRING;
    case "object": {
      if (e.index.kind === "Str" && object.fields.has(e.index.value)) return object.fields.get(e.index.value)!;
      return option([...object.fields.values()].reduce(join, NEVER));
    }
    case "option":
      c.error("E0209", e.object.span, `this is ${show(object)}, which may be None`, optionHint);
      return ANY;
    case "named":
      if (c.decls.isRecord(object.name)) {
        const key = e.index.kind === "Str" ? e.index.value : null;
        const fields = c.decls.fields(object.name, object.args)!;
        if (key !== null && fields.has(key)) return fields.get(key)!;
        const near = key ? didYouMean(key, fields.keys()) : undefined;
        c.error("E0209", e.span, `a \`${object.name}\` is read by field name (\`.${[...fields.keys()][0] ?? "field"}\`), not by index`, near ? `did you mean \`.${near}\`?` : "use a `{String: T}` map for values looked up by a key");
        return ANY;
      }
      return ANY;
    default:
      return ANY;
  }
}

function jsx(c: Checker, e: ast.JsxElement | ast.JsxChild): void {
  switch (e.kind) {
    case "JsxElement":
      for (const a of e.attrs) if (a.value) c.infer(a.value);
      for (const ch of e.children) jsx(c, ch);
      return;
    case "JsxExpr":
      c.infer(e.expr);
      return;
    case "JsxFor": {
      const t = c.infer(e.iterable);
      c.withFrame(() => {
        const [a, b] = e.names;
        if (e.names.length === 1) c.define(a!.name, element(t));
        else {
          c.define(a!.name, INT);
          c.define(b!.name, element(t));
        }
        if (e.key) c.infer(e.key);
        for (const ch of e.children) jsx(c, ch);
      });
      return;
    }
    case "JsxIf":
      for (const b of e.branches) {
        c.infer(b.cond);
        for (const ch of b.children) jsx(c, ch);
      }
      for (const ch of e.otherwise ?? []) jsx(c, ch);
      return;
    default:
      return;
  }
}

export { map as mapOf };
