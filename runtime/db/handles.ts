// The bun:sqlite Database behind each public `Db`, kept out of the public type.
import type { Database } from "bun:sqlite";
import type { Db } from "./types.js";

const handles = new WeakMap<Db, Database>();

export function register(db: Db, handle: Database): void {
  handles.set(db, handle);
}

export function handleOf(db: Db): Database {
  const handle = handles.get(db);
  if (!handle) throw new Error("not a database opened with sqlite(path)");
  return handle;
}
