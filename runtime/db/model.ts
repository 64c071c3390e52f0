// `model X { fields }` (decisions.md "Models"): a table with an integer `id`
// and one column per field, created on first use; fields added since the
// table was created become new columns. Every accessor function binds its
// values as parameters. Values written (create, update) and compared (the
// filters of where/first/count/delete_all) are checked against the fields'
// types first (conform.ts): a value that does not fit, an unknown field or a
// change to `id` is a ModelInputError naming the field, and nothing is
// written (security.md; issue 10).
import type { Schema } from "../schema/index.js";
import { intNode, type SchemaNode } from "../schema/node.js";
import { explainValue } from "./conform.js";
import { ModelInputError } from "./errors.js";
import { columnOf, quoteName, type Bindable, type Column } from "./columns.js";
import { SchemaMismatchError, type Engine, type MaybePromise, type Raw } from "./engine.js";
import { checkText, whereClause, type Clause } from "./filters.js";
import { engineOf } from "./handles.js";
import { exitWithError } from "../server/lifecycle.js";
import type { Db, ModelAccessor } from "./types.js";

/** Marks the arrays `where` and `all` return, so `delete_all(rows)` knows their table. */
const SOURCE: unique symbol = Symbol.for("tova.model.rows") as never;

type Row = { id: number } & Record<string, unknown>;

class Model implements ModelAccessor<Row> {
  private readonly columns: Map<string, Column>;
  private readonly table: string;
  private readonly select: string;
  private readonly returning: string;
  private readonly findSql: string;
  private readonly converted: Column[];
  private readonly engine: Engine;

  constructor(
    db: Db,
    private readonly name: string,
    private readonly tableName: string,
    fields: Record<string, SchemaNode>,
  ) {
    this.engine = engineOf(db);
    this.table = quoteName(tableName, "table");
    const columns = Object.entries(fields)
      .filter(([field]) => field !== "id")
      .map(([field, node]) => columnOf(field, node));
    this.columns = new Map([["id", { name: "id", kind: "integer", sql: '"id"', node: intNode }], ...columns.map((c) => [c.name, c] as const)]);
    const list = [...this.columns.values()].map((c) => c.sql).join(", ");
    this.select = `SELECT ${list} FROM ${this.table}`;
    this.returning = ` RETURNING ${list}`;
    this.findSql = `${this.select} WHERE "id" = ?`;
    this.converted = [...this.columns.values()].filter((c) => this.engine.fromDb(c, SAMPLES[c.kind]) !== SAMPLES[c.kind]);
  }

  /**
   * Creates the table, or adds the columns of fields added since it was
   * created; a column whose type no longer matches its field is a
   * SchemaMismatchError (nothing is converted: the data could be lost).
   */
  async migrate(): Promise<void> {
    await this.engine.schema(async (tx) => {
      const existing = await tx.columns(this.tableName);
      const fields = [...this.columns.values()].slice(1);
      if (existing === null) {
        const defs = fields.map((c) => `, ${c.sql} ${tx.sqlType(c.kind)}`).join("");
        await tx.run(`CREATE TABLE IF NOT EXISTS ${this.table} (${tx.idColumn}${defs})`, []);
        return;
      }
      let rows: number | null = null;
      for (const column of fields) {
        const declared = existing.get(column.name);
        if (declared === undefined) {
          // The rows already there have no value for a new field: only an Option (or Any) field can say so.
          if (!column.node.optional && column.node.kind !== "any") {
            rows ??= Number((await tx.get(`SELECT COUNT(*) AS n FROM ${this.table}`, []))?.["n"] ?? 0);
            if (rows > 0) {
              throw new SchemaMismatchError(
                `model ${this.name}: the new field "${column.name}" is declared ${describe(column.node)}, but the ${rows} rows already in table "${this.tableName}" ` +
                  `in ${tx.name} (${tx.where}) have no value for it. Declare it Option<${describe(column.node)}>, or add the column and fill it by hand (ALTER TABLE).`,
              );
            }
          }
          try {
            await tx.run(`ALTER TABLE ${this.table} ADD COLUMN ${column.sql} ${tx.sqlType(column.kind)}`, []);
          } catch (err) {
            // Another process sharing the SQLite file may have added it first (PostgreSQL's lock prevents that).
            if (!/duplicate column/i.test(String(err))) throw err;
          }
          continue;
        }
        const wanted = tx.sqlType(column.kind).replace(/ COLLATE .*/, "").toLowerCase();
        if (declared !== wanted) {
          throw new SchemaMismatchError(
            `model ${this.name}: column "${column.name}" of table "${this.tableName}" in ${tx.name} (${tx.where}) is ${declared.toUpperCase()}, ` +
              `but the field is declared ${describe(column.node)} (${wanted.toUpperCase()}). Tova does not change a column's type, ` +
              `which could lose data: migrate the column by hand (ALTER TABLE), or give the field a new name.`,
          );
        }
      }
    });
  }

  private row(raw: Raw): Row {
    for (const column of this.converted) raw[column.name] = this.engine.fromDb(column, raw[column.name]);
    return raw as Row;
  }

  private rows(raws: Raw[]): Row[] {
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
  private assignments(values: Record<string, unknown>, action: string): [Column[], Bindable[]] {
    const where = `${this.name}.${action}`;
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new ModelInputError(`${where}: expected an object of fields, got ${Array.isArray(values) ? "an array" : values === null ? "null" : typeof values}`, action === "update" ? "changes" : "values");
    }
    const columns: Column[] = [];
    const params: Bindable[] = [];
    for (const key of Object.keys(values)) {
      const column = this.columns.get(key);
      if (key === "id") throw new ModelInputError(`${where}: "id" ${action === "create" ? "is given by the database" : "cannot be changed"}`, "id");
      if (!column) {
        const fields = [...this.columns.keys()].filter((k) => k !== "id").join(", ");
        throw new ModelInputError(`${where}: unknown field "${key}" (fields: ${fields})`, key);
      }
      const value = values[key];
      if (value === undefined) continue;
      const why = explainValue(column.node, value, key);
      if (why !== null) throw new ModelInputError(`${where}: ${why}`, key);
      checkText(where, key, value);
      columns.push(column);
      params.push(this.engine.toDb(column, value));
    }
    return [columns, params];
  }

  private filter(action: string, filter: Record<string, unknown> | undefined): Clause {
    return whereClause(`${this.name}.${action}`, this.columns, filter, this.engine);
  }

  async create(values: Record<string, unknown>): Promise<Row> {
    const [columns, params] = this.assignments(values, "create");
    // Every field that is not an Option needs a value (decisions.md, "Models"; security.md: writes validate values).
    const given = new Set(columns.map((c) => c.name));
    for (const c of this.columns.values()) {
      if (c.name !== "id" && !c.node.optional && c.node.kind !== "any" && !given.has(c.name)) {
        throw new ModelInputError(`${this.name}.create: field "${c.name}" is missing`, c.name);
      }
    }
    const sql =
      columns.length === 0
        ? `INSERT INTO ${this.table} DEFAULT VALUES${this.returning}`
        : `INSERT INTO ${this.table} (${columns.map((c) => c.sql).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})${this.returning}`;
    return then(this.engine.get(sql, params), (raw) => this.row(raw!));
  }

  async find(id: number): Promise<Row | null> {
    if (!Number.isSafeInteger(id)) throw new ModelInputError(`${this.name}.find: the id must be an Int, got ${JSON.stringify(id) ?? typeof id}`, "id");
    return then(this.engine.get(this.findSql, [id]), (raw) => (raw ? this.row(raw) : null));
  }

  async all(): Promise<Row[]> {
    return then(this.engine.all(`${this.select} ORDER BY "id"`, []), (raws) => this.rows(raws));
  }

  async where(filter: Record<string, unknown>): Promise<Row[]> {
    const clause = this.filter("where", filter);
    return then(this.engine.all(`${this.select}${clause.sql} ORDER BY "id"`, clause.params, clause.variable), (raws) => this.rows(raws));
  }

  async first(filter?: Record<string, unknown>): Promise<Row | null> {
    const clause = this.filter("first", filter);
    return then(this.engine.get(`${this.select}${clause.sql} ORDER BY "id" LIMIT 1`, clause.params, clause.variable), (raw) => (raw ? this.row(raw) : null));
  }

  async update(id: number, changes: Record<string, unknown>): Promise<Row | null> {
    if (!Number.isSafeInteger(id)) throw new ModelInputError(`${this.name}.update: the id must be an Int, got ${JSON.stringify(id) ?? typeof id}`, "id");
    const [columns, params] = this.assignments(changes, "update");
    if (columns.length === 0) return this.find(id);
    const sets = columns.map((c) => `${c.sql} = ?`).join(", ");
    params.push(id);
    return then(this.engine.get(`UPDATE ${this.table} SET ${sets} WHERE "id" = ?${this.returning}`, params), (raw) => (raw ? this.row(raw) : null));
  }

  async delete(id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) throw new ModelInputError(`${this.name}.delete: the id must be an Int, got ${JSON.stringify(id) ?? typeof id}`, "id");
    return then(this.engine.run(`DELETE FROM ${this.table} WHERE "id" = ?`, [id]), (n) => n > 0);
  }

  async delete_all(filter?: Record<string, unknown>): Promise<number> {
    const clause = this.filter("delete_all", filter);
    return this.engine.run(`DELETE FROM ${this.table}${clause.sql}`, clause.params, clause.variable);
  }

  async count(filter?: Record<string, unknown>): Promise<number> {
    const clause = this.filter("count", filter);
    return then(this.engine.get(`SELECT COUNT(*) AS n FROM ${this.table}${clause.sql}`, clause.params, clause.variable), (raw) => Number((raw as { n: number | string }).n));
  }

  /** Deletes rows by id, in one transaction, a chunk of ids per statement. */
  async deleteIds(ids: number[]): Promise<number> {
    const statements: [string, Bindable[]][] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      statements.push([`DELETE FROM ${this.table} WHERE "id" IN (${chunk.map(() => "?").join(", ")})`, chunk]);
    }
    return this.engine.batch(statements);
  }
}

/**
 * `f` applied to what an engine answered: at once when it answered at once
 * (SQLite), else when the promise settles (PostgreSQL). The model's async
 * functions return this, so on SQLite a call costs one await, not two
 * (bench/models.ts measures the difference against bun:sqlite directly).
 */
function then<T, R>(value: MaybePromise<T>, f: (v: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** A value of each kind as the engines store it, to find the columns whose values need converting when read. */
const SAMPLES: Record<string, unknown> = { integer: "1", real: 1.5, text: "x", bool: 1, json: "1" };

/** A field's type as a message names it. */
function describe(node: SchemaNode): string {
  const base = node.optional && node.inner ? node.inner : node;
  const name = { int: "Int", float: "Float", string: "String", bool: "Bool", enum: "an enum" }[base.kind as string] ?? "a structured value (stored as JSON text)";
  return node.optional ? `Option<${name}>` : name;
}

/**
 * The accessor of a model, once its table is ready: created with an integer
 * `id` and one column per field, or given the columns of fields added since.
 * Awaited at the top of the server module, so the schema is settled before
 * the server listens; a schema that does not match the model, or a database
 * that cannot be reached, stops the process with one clear line.
 *
 * @example
 * export const MetricRecord = await model<MetricRecord>(db, "MetricRecord", "metric_records", { service: t.string, value: t.float, timestamp: t.string });
 * await MetricRecord.where({ service: "api", timestamp_gt: cutoff });
 */
export async function model<Row extends { id: number }>(db: Db, name: string, table: string, fields: Record<string, Schema<any>>): Promise<ModelAccessor<Row>> {
  const accessor = new Model(db, name, table, fields as unknown as Record<string, SchemaNode>);
  try {
    await accessor.migrate();
  } catch (err) {
    const engine = engineOf(db);
    if (err instanceof SchemaMismatchError) exitWithError(err.message);
    exitWithError(`model ${name}: could not prepare table "${table}" in ${engine.name} (${engine.where}): ${err instanceof Error ? err.message : String(err)}`);
  }
  return accessor as unknown as ModelAccessor<Row>;
}

/**
 * `Model.where(...) |> delete_all()`: deletes the rows a `where` (or `all`)
 * returned; answers how many.
 */
export async function delete_all(rows: { id: number }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const source = (rows as unknown as { [SOURCE]?: Model })[SOURCE];
  if (!source) throw new Error("delete_all(rows): pass the rows that Model.where(...) or Model.all() returned");
  return source.deleteIds(rows.map((r) => r.id));
}
