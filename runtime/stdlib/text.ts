// Strings and conversions of language.md "Standard library". Conversions
// that can fail (`to_int("abc")`) give None rather than throwing, and are
// typed `any` so they fit both `to_int(x) + 1` and `to_int(x) |> unwrapOr(0)`.
import type { Schema } from "../schema/index.js";
import { format } from "./format.js";
import { eq } from "./option.js";
import { listOf } from "./program-error.js";

/**
 * Joins the elements with `separator` (default ",").
 * @example tags |> join(",")
 */
export function join(xs: readonly unknown[], separator: string = ","): string {
  listOf("join", xs);
  return xs.map((x) => format(x)).join(separator);
}

/** Splits a string at each `separator`. */
/** `split(env("ALLOWED_ORIGINS"), ",")`: None splits into nothing. */
export function split(s: string | null | undefined, separator: string): string[] {
  return s === null || s === undefined ? [] : String(s).split(separator);
}

/** Removes surrounding whitespace. */
export function trim(s: string): string {
  return s.trim();
}

/** Upper case. */
export function upper(s: string): string {
  return s.toUpperCase();
}

/** Lower case. */
export function lower(s: string): string {
  return s.toLowerCase();
}

/** Substring of a string, element of an array, key of an object. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === "string") return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((x) => eq(x, needle)); // Tova's ==: by what a value holds
  if (haystack instanceof Map || haystack instanceof Set) return haystack.has(needle);
  if (typeof haystack === "object" && haystack !== null) return Object.hasOwn(haystack, String(needle));
  return false;
}

/** True when `s` starts with `prefix`. */
export function starts_with(s: string, prefix: string): boolean {
  return s.startsWith(prefix);
}

/** True when `s` ends with `suffix`. */
export function ends_with(s: string, suffix: string): boolean {
  return s.endsWith(suffix);
}

/** Replaces every occurrence of `search`. */
export function replace(s: string, search: string, replacement: string): string {
  return s.replaceAll(search, replacement);
}

/**
 * The Tova text of a value (format.ts): a string is itself, None is `None`,
 * `Ok(1)`, `[1, "a"]`, `{ a: 1 }`; with a schema, also what only the static
 * type knows: `Some(1)`, `User { id: 1 }`, `Circle(2.5)`, `[Warning]`.
 * `print`, `to_string` and interpolation format through it; a string it
 * returned is printed and interpolated as it is.
 * @example print(show(found, t.option(t.int)))   // Some(3)
 * @example `user: ${show(u, UserSchema)}`          // user: User { id: 1, name: "a" }
 */
export function show(value: unknown, schema?: Schema<any>): string {
  return format(value, schema);
}

/**
 * String interpolation (decisions.md, "Strings": `"{x}"` formats `x` like
 * `to_string(x)`), as a tag on a template literal: every interpolated value
 * is shown the way Tova writes it, so `None` reads `None` and a map `{ a: 1 }`.
 * @example fmt`hi ${name}, you have ${items}`   // hi Ada, you have [1, 2]
 */
export function fmt(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += format(values[i]) + strings[i + 1]!;
  return out;
}

/** Same as `show`: `to_string(x)` of language.md, e.g. `alert.severity |> to_string()` is `"Warning"`. */
export function to_string(value: unknown, schema?: Schema<any>): string {
  return format(value, schema);
}

/** Whole number of a number (truncated), numeric string or Bool; None when it does not convert. */
export function to_int(x: unknown): any {
  const n = to_float(x);
  return n === null ? null : Math.trunc(n);
}

/** Number of a number, numeric string or Bool; None when it does not convert. */
export function to_float(x: unknown): any {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string" && x.trim() !== "") {
    const n = Number(x);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Absolute value. */
export function abs(x: number): number {
  return Math.abs(x);
}

/**
 * Rounds to `digits` decimals (default 0).
 * @example round(3.14159, 2) // 3.14
 */
export function round(x: number, digits: number = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Rounds down. */
export function floor(x: number): number {
  return Math.floor(x);
}

/** Rounds up. */
export function ceil(x: number): number {
  return Math.ceil(x);
}
