// What a model needs of a database engine (decisions.md "Models"; scaling.md
// "Database Scaling": "Model definitions and queries stay the same. The
// adapter handles SQL dialect differences"). model.ts writes one SQL text per
// operation, with `?` for every value; an engine runs it, binds the values,
// and converts between the model's values and its own column types. SQLite
// (sqlite.ts) answers at once; PostgreSQL (postgres.ts) answers promises.
// Either way the model's functions answer promises, so one emitted program
// (which awaits every model call) runs on both.
import type { Bindable, Column, ColumnKind } from "./columns.js";

export type Raw = Record<string, unknown>;
export type MaybePromise<T> = T | Promise<T>;

export interface Engine {
  /** "sqlite" or "postgres", for messages. */
  readonly name: string;
  /** Where the data is, for messages (a file, or the URL without its password). */
  readonly where: string;
  /** The column type for a field of this kind (CREATE TABLE, ADD COLUMN, and the check of an existing column). */
  sqlType(kind: ColumnKind): string;
  /** The operator of `_like` filters: case-insensitive for ASCII letters on both engines. */
  readonly like: string;
  /** The `id` column of a new table. */
  readonly idColumn: string;
  /** A value as it is bound for `column`. */
  toDb(column: Column, value: unknown): Bindable;
  /** A stored value as the model's field reads it. */
  fromDb(column: Column, value: unknown): unknown;
  /** The rows of a query. `variable`: the text varies from call to call (IN lists), so it is not worth caching. */
  all(sql: string, params: readonly Bindable[], variable?: boolean): MaybePromise<Raw[]>;
  /** The first row of a query, or null. */
  get(sql: string, params: readonly Bindable[], variable?: boolean): MaybePromise<Raw | null>;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params: readonly Bindable[], variable?: boolean): MaybePromise<number>;
  /** Runs the statements in one transaction; answers how many rows they changed in all. */
  batch(statements: readonly (readonly [sql: string, params: readonly Bindable[]])[]): MaybePromise<number>;
  /**
   * The columns of `table` with their declared types (lower case), or null
   * when there is no such table. Runs inside `schema()`.
   */
  columns(table: string): MaybePromise<Map<string, string> | null>;
  /**
   * Runs the schema changes of one model, one process at a time where the
   * engine needs it (two servers sharing a database start together).
   */
  schema<T>(fn: (tx: Engine) => Promise<T>): Promise<T>;
}

/**
 * A table's schema does not match its model: a column's declared type changed.
 * Tova never converts a column (the data in it could be lost); starting stops
 * with this message (model.ts).
 */
export class SchemaMismatchError extends Error {
  override readonly name = "SchemaMismatchError";
}
