// The kinds of column a model's field types map to (decisions.md "Models"):
// Int, Float, String and enums, Bool, and JSON text for arrays, maps,
// records, enums with fields and Any. Option<T> is T's column, nullable. Each
// engine names its SQL type per kind and converts values (sqlite.ts,
// postgres.ts).
//
// Values are checked against the field's type before they get here
// (conform.ts, model.ts). A number in a String field is allowed (decisions.md
// "Gradual typing": the monitoring example stores `Date.now()` there); the
// TEXT column keeps it as text.
import type { SchemaNode } from "../schema/node.js";

export type ColumnKind = "integer" | "real" | "text" | "bool" | "json";

export interface Column {
  name: string;
  kind: ColumnKind;
  /** The name, double-quoted for SQL. */
  sql: string;
  /** The field's declared type: values written to it and compared with it are checked against it (conform.ts). */
  node: SchemaNode;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A table or column name, checked (names are never taken from requests, but never spliced unchecked either) and quoted. */
export function quoteName(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ${what} name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

function kindOf(node: SchemaNode): ColumnKind {
  const base = node.optional && node.inner ? node.inner : node;
  switch (base.kind) {
    case "int":
      return "integer";
    case "float":
      return "real";
    case "string":
    case "enum":
      return "text";
    case "bool":
      return "bool";
    default:
      return "json";
  }
}

export function columnOf(name: string, node: SchemaNode): Column {
  return { name, kind: kindOf(node), sql: quoteName(name, "column"), node };
}

export type Bindable = string | number | bigint | boolean | null | Uint8Array;

/** A value as it is bound for `column`; engines differ only in how a Bool is stored (`bool`). */
export function bindValue(column: Column, value: unknown, bool: (b: boolean) => Bindable): Bindable {
  if (value === null || value === undefined) return null;
  if (column.kind === "json") return JSON.stringify(value);
  // NaN (0 / 0 in the program) is stored as NULL on both engines: SQLite turns it into NULL itself.
  if (typeof value === "number" && Number.isNaN(value)) return null;
  switch (typeof value) {
    case "boolean":
      return bool(value);
    case "number":
    case "string":
    case "bigint":
      return value;
    default:
      if (value instanceof Uint8Array) return value;
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value);
  }
}

/** A stored JSON column's text as the field reads it. */
export function readJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value; // written by something else: read as stored
  }
}
