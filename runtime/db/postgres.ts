/// <reference types="bun" />
// `db { adapter: "postgres", url: env("DATABASE_URL"), pool: 20 }` (scaling.md
// "Database Scaling"): the same models on PostgreSQL, through Bun's built-in
// client (`Bun.SQL`: nothing to install, so `.tova-out/` stays
// self-contained; runtime/README.md "db" has the measurements that chose
// it over the `postgres` package). `pool` is the most connections it opens.
//
// The dialect: `$1` placeholders (model.ts writes `?`; the identifiers beside
// them are checked names in double quotes, so no `?` can be anywhere else),
// BIGINT for Int (a Tova Int holds timestamps in milliseconds, past INTEGER),
// DOUBLE PRECISION for Float, BOOLEAN for Bool, and TEXT in the "C" collation
// so text compares and sorts by code point as on SQLite. Schema changes take
// an advisory lock, so servers sharing the database can start together.
import { SQL } from "bun";
import { bindValue, readJson, type Bindable, type Column, type ColumnKind } from "./columns.js";
import type { Engine, Raw } from "./engine.js";
import { register } from "./handles.js";
import { exitWithError } from "../server/lifecycle.js";
import type { Db } from "./types.js";

/** The advisory lock key schema changes hold ("tova" in ASCII). */
const SCHEMA_LOCK = 0x746f7661;

const TYPES: Record<ColumnKind, string> = {
  integer: "BIGINT",
  real: "DOUBLE PRECISION",
  bool: "BOOLEAN",
  text: 'TEXT COLLATE "C"',
  json: 'TEXT COLLATE "C"',
};

class PostgresEngine implements Engine {
  readonly name = "PostgreSQL";
  readonly like = "ILIKE";
  readonly idColumn = '"id" BIGSERIAL PRIMARY KEY';

  constructor(
    private readonly sql: SQL,
    readonly where: string,
    /** `?` placeholders rewritten to `$n`, per SQL text (shared with the engines of transactions). */
    private readonly texts: Map<string, string> = new Map(),
  ) {}

  sqlType(kind: ColumnKind): string {
    return TYPES[kind];
  }

  toDb(column: Column, value: unknown): Bindable {
    // A number in a String field (decisions.md "Gradual typing") is stored as its text, as SQLite's TEXT column does.
    if (column.kind === "text" && typeof value === "number") return String(value);
    return bindValue(column, value, (b) => b);
  }

  fromDb(column: Column, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    // BIGINT arrives as text (it may not fit a double); a Tova Int is a safe integer, checked when written.
    if (column.kind === "integer" && typeof value === "string") return Number(value);
    return column.kind === "json" ? readJson(value) : value;
  }

  private text(sql: string, variable: boolean | undefined): string {
    const cached = this.texts.get(sql);
    if (cached !== undefined) return cached;
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    if (!variable) this.texts.set(sql, text);
    return text;
  }

  async all(sql: string, params: readonly Bindable[], variable?: boolean): Promise<Raw[]> {
    return (await this.sql.unsafe(this.text(sql, variable), params as Bindable[])) as Raw[];
  }

  async get(sql: string, params: readonly Bindable[], variable?: boolean): Promise<Raw | null> {
    const rows = await this.all(sql, params, variable);
    return rows[0] ?? null;
  }

  async run(sql: string, params: readonly Bindable[], variable?: boolean): Promise<number> {
    const result = (await this.sql.unsafe(this.text(sql, variable), params as Bindable[])) as unknown as { count: number };
    return result.count;
  }

  batch(statements: readonly (readonly [string, readonly Bindable[]])[]): Promise<number> {
    return this.sql.begin(async (tx) => {
      let changed = 0;
      for (const [sql, params] of statements) {
        const result = (await tx.unsafe(this.text(sql, true), params as Bindable[])) as unknown as { count: number };
        changed += result.count;
      }
      return changed;
    });
  }

  async columns(table: string): Promise<Map<string, string> | null> {
    const rows = (await this.sql.unsafe(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
      [table],
    )) as { column_name: string; data_type: string }[];
    return rows.length === 0 ? null : new Map(rows.map((r) => [r.column_name, r.data_type.toLowerCase()]));
  }

  schema<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`);
      return fn(new PostgresEngine(tx as unknown as SQL, this.where, this.texts));
    }) as Promise<T>;
  }
}

/** The URL as messages show it: without its password. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(a URL that does not parse)";
  }
}

const open = new Map<string, Db>();

/**
 * Opens (once per process and URL) a pool of connections to PostgreSQL.
 * The URL is the block's `url:`, or `DATABASE_URL` when that is empty.
 * Connections are made when the first query runs (a model's schema, at start).
 * @example const db = postgres(env("DATABASE_URL"), { pool: 20 });
 */
export function postgres(url: string | null | undefined, options: { pool?: number } = {}): Db {
  const target = url || process.env.DATABASE_URL || "";
  // A program that cannot reach its database stops at start with one line (lifecycle.ts), never a stack trace.
  if (!target) {
    exitWithError('db { adapter: "postgres" } needs a database URL: set DATABASE_URL (postgres://user:password@host:5432/name) or give the db block a url:');
  }
  if (!/^postgres(ql)?:\/\//.test(target)) exitWithError(`the PostgreSQL URL must start with postgres:// (got ${shown(target)})`);
  if (!URL.canParse(target)) exitWithError(`the PostgreSQL URL is not a valid URL (got ${shown(target)}); special characters in the password must be percent-encoded`);
  const key = `${target}\0${options.pool ?? ""}`;
  const existing = open.get(key);
  if (existing) return existing;
  const client = new SQL(target, { max: options.pool ?? 10, idleTimeout: 30, connectionTimeout: 10 });
  const db: Db = Object.freeze({ path: shown(target) });
  register(db, new PostgresEngine(client, shown(target)));
  open.set(key, db);
  return db;
}
