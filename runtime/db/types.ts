// The public shape of the model layer (decisions.md "Models"): a database
// handle and the accessor every `model` declaration compiles to.

/** An open database: `db { path: "./data.db" }`, or `db { adapter: "postgres" }`. */
export interface Db {
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly path: string;
}

/** The accessor of a model: `await MetricRecord.create({...})`, `await MetricRecord.where({ timestamp_lt: cutoff })`, ... Every function answers a promise, on both engines. */
export interface ModelAccessor<Row extends { id: number }> {
  /** Inserts a row; answers it with its new `id`. */
  create(values: Partial<Omit<Row, "id">> & Record<string, unknown>): Promise<Row>;
  /** The row with this id, or None. */
  find(id: number): Promise<Row | null>;
  /** Every row, by id. */
  all(): Promise<Row[]>;
  /** The rows matching every key of `filter`; keys may end in _lt _lte _gt _gte _ne _in _like. */
  where(filter: Record<string, unknown>): Promise<Row[]>;
  /** The first row (by id) matching `filter`, or None. */
  first(filter?: Record<string, unknown>): Promise<Row | null>;
  /** Changes some fields of a row; answers the updated row, or None when there is no such row. */
  update(id: number, changes: Record<string, unknown>): Promise<Row | null>;
  /** Deletes a row; answers whether there was one. */
  delete(id: number): Promise<boolean>;
  /** Deletes the rows matching `filter` (every row without one); answers how many. */
  delete_all(filter?: Record<string, unknown>): Promise<number>;
  /** The number of rows matching `filter` (all rows without one). */
  count(filter?: Record<string, unknown>): Promise<number>;
}
