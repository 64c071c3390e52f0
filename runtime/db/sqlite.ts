/// <reference types="bun" />
// `db { adapter: "sqlite", database: "app.db" }` / `db { path: "./data.db" }`:
// the embedded default, on bun:sqlite. One connection per file per process.
// WAL lets the two server processes of decisions.md "Cross-block names" read
// while the other writes; busy_timeout makes a writer wait for the other's
// lock instead of failing at once. Statements answer at once (no promise):
// the model's own `await` is the only cost of the shared async API
// (bench/models.mjs measures it), and nothing can run between two of them.
import { Database, type Statement } from "bun:sqlite";
import { resolve } from "node:path";
import { bindValue, readJson, type Bindable, type Column, type ColumnKind } from "./columns.js";
import type { Engine, Raw } from "./engine.js";
import { register } from "./handles.js";
import { exitWithError } from "../server/lifecycle.js";
import { dataPath } from "../stdlib/data-dir.js";
import type { Db } from "./types.js";

class SqliteEngine implements Engine {
  readonly name = "SQLite";
  readonly like = "LIKE";
  readonly idColumn = '"id" INTEGER PRIMARY KEY AUTOINCREMENT';

  constructor(
    private readonly handle: Database,
    readonly where: string,
  ) {}

  sqlType(kind: ColumnKind): string {
    return kind === "integer" || kind === "bool" ? "INTEGER" : kind === "real" ? "REAL" : "TEXT";
  }

  toDb(column: Column, value: unknown): Bindable {
    return bindValue(column, value, (b) => (b ? 1 : 0));
  }

  fromDb(column: Column, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (column.kind === "bool") return value === 1 ? true : value === 0 ? false : value;
    return column.kind === "json" ? readJson(value) : value;
  }

  /** Compiled statements by SQL text (a Map in JS is cheaper than bun:sqlite's own cache behind `query()`). */
  private readonly statements = new Map<string, Statement>();

  private statement(sql: string, variable: boolean | undefined): Statement {
    // SQL whose text varies (IN lists) is prepared each time and not kept.
    if (variable) return this.handle.prepare(sql);
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.handle.prepare(sql)));
    return statement;
  }

  all(sql: string, params: readonly Bindable[], variable?: boolean): Raw[] {
    return this.statement(sql, variable).all(...(params as Bindable[])) as Raw[];
  }

  get(sql: string, params: readonly Bindable[], variable?: boolean): Raw | null {
    const statement = this.statement(sql, variable);
    // The common one-value case (find by id) without spreading.
    const raw = params.length === 1 ? statement.get(params[0]!) : statement.get(...(params as Bindable[]));
    return (raw as Raw | null) ?? null;
  }

  run(sql: string, params: readonly Bindable[], variable?: boolean): number {
    return this.statement(sql, variable).run(...(params as Bindable[])).changes;
  }

  batch(statements: readonly (readonly [string, readonly Bindable[]])[]): number {
    let changed = 0;
    this.handle.transaction(() => {
      for (const [sql, params] of statements) changed += this.handle.prepare(sql).run(...(params as Bindable[])).changes;
    })();
    return changed;
  }

  columns(table: string): Map<string, string> | null {
    const rows = this.handle.query(`PRAGMA table_info("${table}")`).all() as { name: string; type: string }[];
    return rows.length === 0 ? null : new Map(rows.map((r) => [r.name, r.type.toLowerCase()]));
  }

  schema<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    // CREATE TABLE IF NOT EXISTS, and ADD COLUMN tolerating a column another process added first (model.ts).
    return fn(this);
  }
}

const open = new Map<string, Db>();

/**
 * `PRAGMA journal_mode = WAL` on a new file takes the exclusive lock; when two processes start on the same
 * new file at once, SQLite may answer SQLITE_BUSY without calling the busy handler (it would deadlock:
 * both hold the shared lock and want the exclusive one). Measured: 1 start in 100 with six processes.
 * Retrying after the other has switched succeeds at once, since the file is then in WAL mode already.
 */
export function switchToWal(handle: { run(sql: string): unknown }, path: string): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      handle.run("PRAGMA journal_mode = WAL");
      return;
    } catch (err) {
      const busy = (err as { code?: string }).code?.startsWith("SQLITE_BUSY");
      if (!busy || Date.now() > deadline) {
        exitWithError(`the SQLite database ${path} could not be opened: ${(err as Error).message} (is another program holding it locked?)`);
      }
      Bun.sleepSync(5 + Math.random() * 20);
    }
  }
}

/**
 * Opens (once per process) the SQLite database at `path`, creating the file if needed.
 * @example const db = sqlite("metrics.db");
 */
export function sqlite(file: string): Db {
  const path = dataPath(file);
  const key = path === ":memory:" ? path : resolve(path);
  const existing = open.get(key);
  if (existing) return existing;
  let handle: Database;
  try {
    handle = new Database(path, { create: true });
  } catch (err) {
    return exitWithError(`the SQLite database ${path} could not be opened: ${(err as Error).message} (does its directory exist, and may this user write there?)`);
  }
  // The timeout first: switching to WAL needs a lock, and another process opening the same file at start
  // (two server blocks sharing a model) otherwise fails with SQLITE_BUSY instead of waiting for it.
  handle.run("PRAGMA busy_timeout = 5000");
  switchToWal(handle, path);
  handle.run("PRAGMA synchronous = NORMAL"); // durable at checkpoints; safe with WAL
  const db: Db = Object.freeze({ path });
  register(db, new SqliteEngine(handle, path), handle);
  open.set(key, db);
  return db;
}
