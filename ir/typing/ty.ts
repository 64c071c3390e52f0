/**
 * Tova's types as the type checker sees them (decisions.md, "Types"). `any`
 * is the dynamic type of values from JavaScript and of what the program does
 * not state and Tova cannot infer: it is accepted wherever a type is expected
 * and accepts everything. `never` is the type of an expression that does not
 * produce a value (`return`, a failed `!`, `matchFailed`).
 */
export type Ty =
  | { k: "int" }
  | { k: "float" }
  | { k: "string" }
  | { k: "bool" }
  | { k: "nil" }
  /** Dynamic. `alts`: the known types a value may have when branches of different types joined (`Int or String`). */
  | { k: "any"; alts?: Ty[] }
  | { k: "never" }
  | { k: "array"; el: Ty }
  | { k: "map"; value: Ty }
  | { k: "option"; inner: Ty }
  | { k: "result"; ok: Ty; err: Ty }
  /** A declared record or enum, or a model's row type. */
  | { k: "named"; name: string; args: Ty[] }
  /** An object literal's type: its fields. */
  | { k: "object"; fields: ReadonlyMap<string, Ty> }
  /** `names` are the parameters' names, for messages ("argument `note` of `Adjustment`"). */
  | { k: "fn"; params: Ty[]; ret: Ty; min: number; rest: Ty | null; names?: string[] }
  /** A type parameter inside the generic function that declares it: nothing is known about it. */
  | { k: "param"; name: string }
  /** What an async call gives before it is awaited. */
  | { k: "promise"; inner: Ty }
  /** `stream(path)`: batches of rows, read lazily. */
  | { k: "stream"; el: Ty };

export const INT: Ty = { k: "int" };
export const FLOAT: Ty = { k: "float" };
export const STRING: Ty = { k: "string" };
export const BOOL: Ty = { k: "bool" };
export const NIL: Ty = { k: "nil" };
export const ANY: Ty = { k: "any" };
export const NEVER: Ty = { k: "never" };

export const array = (el: Ty): Ty => ({ k: "array", el });
export const map = (value: Ty): Ty => ({ k: "map", value });
/** `Option<T>`; an Option of an Option is one Option (None is null either way). */
export const option = (inner: Ty): Ty => (inner.k === "option" ? inner : { k: "option", inner });
export const result = (ok: Ty, err: Ty): Ty => ({ k: "result", ok, err });
export const named = (name: string, args: Ty[] = []): Ty => ({ k: "named", name, args });
export const fn = (params: Ty[], ret: Ty, min = params.length, rest: Ty | null = null, names?: string[]): Ty => ({ k: "fn", params, ret, min, rest, ...(names ? { names } : {}) });
export const promise = (inner: Ty): Ty => ({ k: "promise", inner });

export const isNumeric = (t: Ty) => t.k === "int" || t.k === "float";
/** Types that hold no nil: strict `===` is equality for them. */
export const isDefinite = (t: Ty) => t.k === "int" || t.k === "float" || t.k === "string" || t.k === "bool";

/** A type with its article, for messages: "an `Int`", "a `String`". */
export function aType(t: Ty): string {
  const name = show(t);
  return /^[AEIOU]/.test(name) ? `an \`${name}\`` : `a \`${name}\``;
}

/** A type as Tova writes it, for messages. */
export function show(t: Ty): string {
  switch (t.k) {
    case "int": return "Int";
    case "float": return "Float";
    case "string": return "String";
    case "bool": return "Bool";
    case "nil": return "nil";
    case "any": return t.alts ? t.alts.map(show).join(" or ") : "Any";
    case "never": return "Never";
    case "array": return `[${show(t.el)}]`;
    case "map": return `{String: ${show(t.value)}}`;
    case "option": return `Option<${show(t.inner)}>`;
    case "result": return `Result<${show(t.ok)}, ${show(t.err)}>`;
    case "named": return t.args.length ? `${t.name}<${t.args.map(show).join(", ")}>` : t.name;
    case "object": return `{ ${[...t.fields].map(([k, v]) => `${k}: ${show(v)}`).join(", ")} }`;
    case "fn": return `fn(${t.params.map(show).join(", ")}) -> ${show(t.ret)}`;
    case "param": return t.name;
    case "promise": return show(t.inner);
    case "stream": return `Stream<${show(t.el)}>`;
  }
}

/** Whether the type says anything: `Any` and types made only of `Any` are dynamic. */
export function isDynamic(t: Ty): boolean {
  return t.k === "any";
}

/** Whether `any` occurs anywhere in it (TypeScript needs `any` where Tova knows nothing). */
export function containsAny(t: Ty): boolean {
  switch (t.k) {
    case "any": return true;
    case "array": case "stream": return containsAny(t.el);
    case "map": return containsAny(t.value);
    case "option": case "promise": return containsAny(t.inner);
    case "result": return containsAny(t.ok) || containsAny(t.err);
    case "named": return t.args.some(containsAny);
    case "object": return [...t.fields.values()].some(containsAny);
    case "fn": return t.params.some(containsAny) || containsAny(t.ret);
    default: return false;
  }
}

export function equal(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "array": case "stream": return equal(a.el, (b as typeof a).el);
    case "map": return equal(a.value, (b as typeof a).value);
    case "option": case "promise": return equal(a.inner, (b as typeof a).inner);
    case "result": return equal(a.ok, (b as typeof a).ok) && equal(a.err, (b as typeof a).err);
    case "named": { const o = b as typeof a; return a.name === o.name && a.args.length === o.args.length && a.args.every((x, i) => equal(x, o.args[i]!)); }
    case "param": return a.name === (b as typeof a).name;
    case "object": { const o = b as typeof a; return a.fields.size === o.fields.size && [...a.fields].every(([k, v]) => o.fields.has(k) && equal(v, o.fields.get(k)!)); }
    case "fn": { const o = b as typeof a; return a.params.length === o.params.length && a.params.every((p, i) => equal(p, o.params[i]!)) && equal(a.ret, o.ret); }
    default: return true;
  }
}

/**
 * The type of a value that is one of two (the branches of an `if` or a
 * `match`): the same type, the wider number, an Option for nil and a value,
 * and dynamic when they have nothing in common.
 */
export function join(a: Ty, b: Ty): Ty {
  if (a.k === "never") return b;
  if (b.k === "never") return a;
  if ((a.k === "any" && !a.alts) || (b.k === "any" && !b.alts)) return ANY;
  if (a.k === "any" || b.k === "any") return mixed(a, b);
  if (equal(a, b)) return a;
  if (isNumeric(a) && isNumeric(b)) return FLOAT;
  if (a.k === "nil") return option(b);
  if (b.k === "nil") return option(a);
  if (a.k === "option" && b.k === "option") return option(join(a.inner, b.inner));
  if (a.k === "option") return option(join(a.inner, b));
  if (b.k === "option") return option(join(a, b.inner));
  if (a.k === "array" && b.k === "array") return array(join(a.el, b.el));
  if (a.k === "map" && b.k === "map") return map(join(a.value, b.value));
  if (a.k === "result" && b.k === "result") return result(join(a.ok, b.ok), join(a.err, b.err));
  if (a.k === "named" && b.k === "named" && a.name === b.name) return { k: "named", name: a.name, args: a.args.map((x, i) => join(x, b.args[i] ?? ANY)) };
  return mixed(a, b);
}

/**
 * Values of unrelated known types (`if c { 1 } else { "a" }`): dynamic, as
 * gradual typing says, but remembering the types, so that where one type is
 * expected each must fit it.
 */
function mixed(a: Ty, b: Ty): Ty {
  const alts: Ty[] = [];
  for (const t of [a, b].flatMap((x) => (x.k === "any" && x.alts ? x.alts : [x]))) if (!alts.some((y) => equal(y, t))) alts.push(t);
  return alts.length > 4 ? ANY : { k: "any", alts };
}
