// `where` filters (decisions.md "Models"): `{ service: "api", timestamp_lt:
// cutoff, severity_in: ["Warning", "Critical"] }`. A plain key is equality;
// a key ending in _lt _lte _gt _gte _ne _in _like compares its field. Keys
// are checked against the model's fields and values are always bound as
// parameters, never spliced into the SQL text.
import { toDb, type Bindable, type Column } from "./columns.js";

const OPERATORS: Record<string, string> = {
  _lt: "<",
  _lte: "<=",
  _gt: ">",
  _gte: ">=",
  _ne: "IS NOT",
  _in: "IN",
  _like: "LIKE",
};
const SUFFIXES = Object.keys(OPERATORS);

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

export function whereClause(table: string, columns: Map<string, Column>, filter: Record<string, unknown> | undefined): Clause {
  if (filter === undefined || filter === null) return { sql: "", params: [], variable: false };
  if (typeof filter !== "object" || Array.isArray(filter)) throw new Error(`${table}.where: the filter must be an object`);
  const parts: string[] = [];
  const params: Bindable[] = [];
  let variable = false;
  for (const key of Object.keys(filter)) {
    const resolved = resolveKey(columns, key);
    if (!resolved) {
      throw new Error(
        `${table}.where: unknown filter key "${key}" (fields: ${[...columns.keys()].join(", ")}; suffixes: ${SUFFIXES.join(" ")})`,
      );
    }
    const { column, suffix } = resolved;
    const value = filter[key];
    if (suffix === null) {
      if (value === null || value === undefined) parts.push(`${column.sql} IS NULL`);
      else {
        parts.push(`${column.sql} = ?`);
        params.push(toDb(column, value));
      }
    } else if (suffix === "_in") {
      if (!Array.isArray(value)) throw new Error(`${table}.where: "${key}" needs an array`);
      variable = true;
      if (value.length === 0) parts.push("0");
      else {
        parts.push(`${column.sql} IN (${value.map(() => "?").join(", ")})`);
        for (const v of value) params.push(toDb(column, v));
      }
    } else {
      parts.push(`${column.sql} ${OPERATORS[suffix]} ?`);
      params.push(toDb(column, value));
    }
  }
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "", params, variable };
}
