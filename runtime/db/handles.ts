// The engine behind each public `Db` (and, for SQLite, the bun:sqlite
// Database the sessions store shares), kept out of the public type.
import type { Database } from "bun:sqlite";
import type { Engine } from "./engine.js";
import type { Db } from "./types.js";

const engines = new WeakMap<Db, Engine>();
const handles = new WeakMap<Db, Database>();

export function register(db: Db, engine: Engine, handle?: Database): void {
  engines.set(db, engine);
  if (handle) handles.set(db, handle);
}

export function engineOf(db: Db): Engine {
  const engine = engines.get(db);
  if (!engine) throw new Error("not a database opened with sqlite(path) or postgres(url)");
  return engine;
}

export function handleOf(db: Db): Database {
  const handle = handles.get(db);
  if (!handle) throw new Error("not a database opened with sqlite(path)");
  return handle;
}
