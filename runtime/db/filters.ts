// `where` filters (decisions.md "Models"): `{ service: "api", timestamp_lt:
// cutoff, severity_in: ["Warning", "Critical"] }`. A plain key is equality;
// a key ending in _lt _lte _gt _gte _ne _in _like compares its field. Keys
// are checked against the model's fields, values against the field's type
// (a comparison takes a value of that type, `_in` an array of them, `_like` a
// String pattern; conform.ts), and values are always bound as parameters,
// never spliced into the SQL text. A filter that does not fit is a
// ModelInputError naming the key (400 when it came from a request).
import type { Bindable, Column } from "./columns.js";
import type { Engine } from "./engine.js";
import { explainValue } from "./conform.js";
import { ModelInputError } from "./errors.js";

const OPERATORS: Record<string, string> = {
  _lt: "<",
  _lte: "<=",
  _gt: ">",
  _gte: ">=",
  _ne: "IS DISTINCT FROM",
  _in: "IN",
  _like: "LIKE", // case-insensitive for ASCII on both engines (ILIKE on PostgreSQL)
};
const SUFFIXES = Object.keys(OPERATORS);

/** The most values one `_in` filter takes: past it, PostgreSQL runs out of parameters (65,535 a statement). */
export const MAX_IN = 10_000;

/**
 * Text PostgreSQL cannot store (NUL) is refused on both engines, so a
 * program answers the same on either.
 */
export function checkText(where: string, key: string, value: unknown): void {
  if (typeof value === "string" && value.includes("\u0000")) {
    throw new ModelInputError(`${where}: "${key}" contains the NUL character (\\u0000), which text fields cannot hold`, key);
  }
}

/** A pattern ending in a lone `\` means a literal backslash there (an escape with nothing to escape is an error on PostgreSQL). */
function likePattern(pattern: string): string {
  const trailing = pattern.length - pattern.replace(/\\+$/, "").length;
  return trailing % 2 === 1 ? pattern + "\\" : pattern;
}

export interface Clause {
  /** ` WHERE ...`, or "" for no filter. */
  sql: string;
  params: Bindable[];
  /** Contains an IN list, whose SQL text varies with the list's length. */
  variable: boolean;
}

/** The column and operator a filter key names, or an error message. */
function resolveKey(columns: Map<string, Column>, key: string): { column: Column; suffix: string | null } | null {
  const exact = columns.get(key);
  if (exact) return { column: exact, suffix: null };
  for (const suffix of SUFFIXES) {
    if (key.endsWith(suffix)) {
      const column = columns.get(key.slice(0, -suffix.length));
      if (column) return { column, suffix };
    }
  }
  return null;
}

/** Throws when `value` does not fit `column` (null is allowed only where `nullable`). */
function checkValue(where: string, key: string, column: Column, value: unknown, nullable: boolean): void {
  const node = !nullable && column.node.optional && column.node.inner ? column.node.inner : column.node;
  const why = explainValue(node, value, key);
  if (why !== null) throw new ModelInputError(`${where}: ${why}`, key);
}

/** `where` is what the message names: `Item.where`, `Item.count`, ... */
export function whereClause(where: string, columns: Map<string, Column>, filter: Record<string, unknown> | undefined, engine: Engine): Clause {
  if (filter === undefined || filter === null) return { sql: "", params: [], variable: false };
  if (typeof filter !== "object" || Array.isArray(filter)) throw new ModelInputError(`${where}: the filter must be an object`, "filter");
  const parts: string[] = [];
  const params: Bindable[] = [];
  let variable = false;
  for (const key of Object.keys(filter)) {
    const resolved = resolveKey(columns, key);
    if (!resolved) {
      throw new ModelInputError(
        `${where}: unknown filter key "${key}" (fields: ${[...columns.keys()].join(", ")}; suffixes: ${SUFFIXES.join(" ")})`,
        key,
      );
    }
    const { column, suffix } = resolved;
    const value = filter[key];
    if (suffix === "_in" && Array.isArray(value)) value.forEach((v) => checkText(where, key, v));
    else checkText(where, key, value);
    if (suffix === null || suffix === "_ne") {
      // Equality with nothing is IS NULL (and _ne with nothing, IS NOT NULL), for any field; _ne counts NULL as different.
      const absent = value === null || value === undefined;
      if (!absent) checkValue(where, key, column, value, false);
      if (suffix === null && absent) parts.push(`${column.sql} IS NULL`);
      else {
        parts.push(`${column.sql} ${suffix === null ? "=" : "IS DISTINCT FROM"} ?`);
        params.push(engine.toDb(column, value));
      }
    } else if (suffix === "_in") {
      if (!Array.isArray(value)) throw new ModelInputError(`${where}: "${key}" needs an array`, key);
      if (value.length > MAX_IN) throw new ModelInputError(`${where}: "${key}" has ${value.length} values; at most ${MAX_IN} are allowed in one filter`, key);
      variable = true;
      value.forEach((v, i) => checkValue(where, `${key}[${i}]`, column, v, true));
      if (value.length === 0) parts.push("1 = 0");
      else {
        parts.push(`${column.sql} IN (${value.map(() => "?").join(", ")})`);
        for (const v of value) params.push(engine.toDb(column, v));
      }
    } else if (suffix === "_like") {
      if (typeof value !== "string") throw new ModelInputError(`${where}: "${key}" needs a String pattern, got ${value === null ? "null" : typeof value}`, key);
      if (column.kind !== "text") throw new ModelInputError(`${where}: "${key}" matches text, but ${column.name} is not a String field`, key);
      parts.push(`${column.sql} ${engine.like} ? ESCAPE '\\'`);
      params.push(likePattern(value));
    } else {
      checkValue(where, key, column, value, false);
      parts.push(`${column.sql} ${OPERATORS[suffix]} ?`);
      params.push(engine.toDb(column, value));
    }
  }
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "", params, variable };
}
