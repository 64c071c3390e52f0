/// <reference types="bun" />
// `model X { fields }` (decisions.md "Models"): a table with an integer `id`
// and one column per field, created on first use; fields added since the
// table was created become new columns. Every accessor function binds its
// values as parameters. Values written (create, update) and compared (the
// filters of where/first/count/delete_all) are checked against the fields'
// types first (conform.ts): a value that does not fit, an unknown field or a
// change to `id` is a ModelInputError naming the field, and nothing is
// written (security.md; issue 10).
import type { Database, Statement } from "bun:sqlite";
import type { Schema } from "../schema/index.js";
import { intNode, type SchemaNode } from "../schema/node.js";
import { explainValue } from "./conform.js";
import { ModelInputError } from "./errors.js";
import { columnOf, fromDb, quoteName, sqlType, toDb, type Bindable, type Column } from "./columns.js";
import { whereClause } from "./filters.js";
import { handleOf } from "./handles.js";
import type { Db, ModelAccessor } from "./types.js";

/** Marks the arrays `where` and `all` return, so `delete_all(rows)` knows their table. */
const SOURCE: unique symbol = Symbol.for("tova.model.rows") as never;

type Row = { id: number } & Record<string, unknown>;

class Model implements ModelAccessor<Row> {
  private readonly columns: Map<string, Column>;
  private readonly table: string;
  private readonly select: string;
  private readonly converted: Column[];
  private ready = false;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    fields: Record<string, SchemaNode>,
  ) {
    this.table = quoteName(name, "table");
    const columns = Object.entries(fields)
      .filter(([field]) => field !== "id")
      .map(([field, node]) => columnOf(field, node));
    this.columns = new Map([["id", { name: "id", kind: "integer", sql: '"id"', node: intNode }], ...columns.map((c) => [c.name, c] as const)]);
    this.select = `SELECT ${[...this.columns.values()].map((c) => c.sql).join(", ")} FROM ${this.table}`;
    this.converted = columns.filter((c) => c.kind === "bool" || c.kind === "json");
  }

  /** The database, with the table created and its columns added on first use. */
  private get handle(): Database {
    const handle = handleOf(this.db);
    if (!this.ready) {
      const defs = [...this.columns.values()].slice(1).map((c) => `${c.sql} ${sqlType(c.kind)}`);
      handle.run(`CREATE TABLE IF NOT EXISTS ${this.table} ("id" INTEGER PRIMARY KEY AUTOINCREMENT${defs.map((d) => ", " + d).join("")})`);
      const existing = new Set(handle.query(`PRAGMA table_info(${this.table})`).all().map((r) => (r as { name: string }).name));
      for (const column of this.columns.values()) {
        if (existing.has(column.name)) continue;
        try {
          handle.run(`ALTER TABLE ${this.table} ADD COLUMN ${column.sql} ${sqlType(column.kind)}`);
        } catch (err) {
          // Another process sharing the database may have added it first.
          if (!/duplicate column/i.test(String(err))) throw err;
        }
      }
      this.ready = true;
    }
    return handle;
  }

  private statement(sql: string, variable = false): Statement {
    // query() caches the compiled statement; SQL whose text varies (IN lists) is prepared each time.
    return variable ? this.handle.prepare(sql) : this.handle.query(sql);
  }

  private row(raw: unknown): Row {
    const row = raw as Row;
    for (const column of this.converted) row[column.name] = fromDb(column, row[column.name]);
    return row;
  }

  private rows(raws: unknown[]): Row[] {
    const rows = this.converted.length > 0 ? raws.map((r) => this.row(r)) : (raws as Row[]);
    Object.defineProperty(rows, SOURCE, { value: this });
    return rows;
  }

  /**
   * Columns and bound values for `values`, each checked against its field's
   * type; an unknown field, a value that does not fit, or an `id` in an
   * update's changes is a ModelInputError. Absent (undefined) values are left
   * out; null is allowed only in an Option field.
   */
  private assignments(values: Record<string, unknown>, action: string, allowId: boolean): [Column[], Bindable[]] {
    const where = `${this.name}.${action}`;
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new ModelInputError(`${where}: expected an object of fields, got ${Array.isArray(values) ? "an array" : values === null ? "null" : typeof values}`, action === "update" ? "changes" : "values");
    }
    const columns: Column[] = [];
    const params: Bindable[] = [];
    for (const key of Object.keys(values)) {
      const column = this.columns.get(key);
      if (key === "id" && !allowId) throw new ModelInputError(`${where}: "id" cannot be changed`, "id");
      if (!column) {
        const fields = [...this.columns.keys()].filter((k) => k !== "id").join(", ");
        throw new ModelInputError(`${where}: unknown field "${key}" (fields: ${fields})`, key);
      }
      const value = values[key];
      if (value === undefined) continue;
      const why = explainValue(column.node, value, key);
      if (why !== null) throw new ModelInputError(`${where}: ${why}`, key);
      columns.push(column);
      params.push(toDb(column, value));
    }
    return [columns, params];
  }

  private returning(): string {
    return ` RETURNING ${[...this.columns.values()].map((c) => c.sql).join(", ")}`;
  }

  create(values: Record<string, unknown>): Row {
    const [columns, params] = this.assignments(values, "create", true);
    // Every field that is not an Option needs a value (decisions.md, "Models"; security.md: writes validate values).
    const given = new Set(columns.map((c) => c.name));
    for (const c of this.columns.values()) {
      if (c.name !== "id" && !c.node.optional && c.node.kind !== "any" && !given.has(c.name)) {
        throw new ModelInputError(`${this.name}.create: field "${c.name}" is missing`, c.name);
      }
    }
    const sql =
      columns.length === 0
        ? `INSERT INTO ${this.table} DEFAULT VALUES${this.returning()}`
        : `INSERT INTO ${this.table} (${columns.map((c) => c.sql).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})${this.returning()}`;
    return this.row(this.statement(sql).get(...params));
  }

  find(id: number): Row | null {
    const raw = this.statement(`${this.select} WHERE "id" = ?`).get(id);
    return raw ? this.row(raw) : null;
  }

  all(): Row[] {
    return this.rows(this.statement(`${this.select} ORDER BY "id"`).all());
  }

  where(filter: Record<string, unknown>): Row[] {
    const clause = whereClause(`${this.name}.where`, this.columns, filter);
    return this.rows(this.statement(`${this.select}${clause.sql} ORDER BY "id"`, clause.variable).all(...clause.params));
  }

  first(filter?: Record<string, unknown>): Row | null {
    const clause = whereClause(`${this.name}.first`, this.columns, filter);
    const raw = this.statement(`${this.select}${clause.sql} ORDER BY "id" LIMIT 1`, clause.variable).get(...clause.params);
    return raw ? this.row(raw) : null;
  }

  update(id: number, changes: Record<string, unknown>): Row | null {
    const [columns, params] = this.assignments(changes, "update", false);
    if (columns.length === 0) return this.find(id);
    const sets = columns.map((c) => `${c.sql} = ?`).join(", ");
    const raw = this.statement(`UPDATE ${this.table} SET ${sets} WHERE "id" = ?${this.returning()}`).get(...params, id);
    return raw ? this.row(raw) : null;
  }

  delete(id: number): boolean {
    return this.statement(`DELETE FROM ${this.table} WHERE "id" = ?`).run(id).changes > 0;
  }

  delete_all(filter?: Record<string, unknown>): number {
    const clause = whereClause(`${this.name}.delete_all`, this.columns, filter);
    return this.statement(`DELETE FROM ${this.table}${clause.sql}`, clause.variable).run(...clause.params).changes;
  }

  count(filter?: Record<string, unknown>): number {
    const clause = whereClause(`${this.name}.count`, this.columns, filter);
    const raw = this.statement(`SELECT COUNT(*) AS n FROM ${this.table}${clause.sql}`, clause.variable).get(...clause.params);
    return (raw as { n: number }).n;
  }

  /** Deletes rows by id, in one transaction, a chunk of ids per statement. */
  deleteIds(ids: number[]): number {
    const handle = this.handle;
    let deleted = 0;
    handle.transaction(() => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        deleted += handle.prepare(`DELETE FROM ${this.table} WHERE "id" IN (${chunk.map(() => "?").join(", ")})`).run(...chunk).changes;
      }
    })();
    return deleted;
  }
}

/**
 * The accessor of a model: its table is created on first use, with an
 * integer `id` and one column per field.
 *
 * @example
 * const MetricRecord = model<MetricRecord>(db, "MetricRecord", { service: t.string, value: t.float, timestamp: t.string });
 * MetricRecord.where({ service: "api", timestamp_gt: cutoff });
 */
export function model<Row extends { id: number }>(db: Db, table: string, fields: Record<string, Schema<any>>): ModelAccessor<Row> {
  return new Model(db, table, fields as unknown as Record<string, SchemaNode>) as unknown as ModelAccessor<Row>;
}

/**
 * `Model.where(...) |> delete_all()`: deletes the rows a `where` (or `all`)
 * returned; answers how many.
 */
export function delete_all(rows: { id: number }[]): number {
  if (rows.length === 0) return 0;
  const source = (rows as unknown as { [SOURCE]?: Model })[SOURCE];
  if (!source) throw new Error("delete_all(rows): pass the rows that Model.where(...) or Model.all() returned");
  return source.deleteIds(rows.map((r) => r.id));
}
