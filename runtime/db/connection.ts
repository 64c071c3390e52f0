/// <reference types="bun" />
// `db { adapter: "sqlite", database: "app.db" }` / `db { path: "./data.db" }`.
// One connection per file per process. WAL lets the two server processes of
// decisions.md "Cross-block names" read while the other writes; busy_timeout
// makes a writer wait for the other's lock instead of failing at once.
import { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { register } from "./handles.js";
import { dataPath } from "../stdlib/data-dir.js";
import type { Db } from "./types.js";

const open = new Map<string, Db>();

/**
 * Opens (once per process) the SQLite database at `path`, creating the file if needed.
 * @example const db = sqlite("metrics.db");
 */
export function sqlite(file: string): Db {
  const path = dataPath(file);
  const key = path === ":memory:" ? path : resolve(path);
  const existing = open.get(key);
  if (existing) return existing;
  const handle = new Database(path, { create: true });
  // The timeout first: switching to WAL needs a lock, and another process opening the same file at start
  // (two server blocks sharing a model) otherwise fails with SQLITE_BUSY instead of waiting for it.
  handle.run("PRAGMA busy_timeout = 5000");
  handle.run("PRAGMA journal_mode = WAL");
  handle.run("PRAGMA synchronous = NORMAL"); // durable at checkpoints; safe with WAL
  const db: Db = Object.freeze({ path });
  register(db, handle);
  open.set(key, db);
  return db;
}

/**
 * `db { adapter: "postgres", url: ..., pool: N }`. Models on PostgreSQL are
 * not in this runtime yet: starting such a server stops with this message,
 * naming what to use instead, rather than failing later on a query.
 */
export function postgres(url: string | null | undefined, options: { pool?: number } = {}): Db {
  void options;
  throw new Error(
    `PostgreSQL is not supported by this Tova runtime yet (db url ${url ? "given" : "missing"}); use SQLite for now: db { path: "app.db" }`,
  );
}
