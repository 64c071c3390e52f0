// Where `sessions { }` keeps its data (security.md, "Server statements"): the
// block's SQLite database, in a table of its own. The layer talks to a
// `SessionStore` only, so a Redis store (issue 13) can replace this one; the
// methods may answer promises for that reason.
//
// Rows are keyed by the SHA-256 of the session id, so a copy of the database
// (a backup, a leaked file) does not hand out live session cookies.
import { nodeCrypto } from "../builtins.js";
import { sqlite } from "../db/sqlite.js";
import { handleOf } from "../db/handles.js";

export interface SessionRecord {
  data: Record<string, unknown>;
  /** Epoch milliseconds after which the session is gone. */
  expires: number;
}

export interface SessionStore {
  /** The session's data, or null when there is none or it expired. */
  load(id: string): SessionRecord | null | Promise<SessionRecord | null>;
  /** Creates or replaces the session. */
  save(id: string, record: SessionRecord): void | Promise<void>;
  /** Forgets the session (no error when there is none). */
  destroy(id: string): void | Promise<void>;
  /** Removes every expired session. */
  sweep(now: number): void | Promise<void>;
}

/** The table sessions live in, beside the block's models. */
export const SESSION_TABLE = "tova_sessions";

const keyOf = (id: string) => nodeCrypto().createHash("sha256").update(id).digest("hex");

/** A store in the SQLite database `file` (resolved like the models' database: under TOVA_DATA_DIR when set). */
export function sqliteSessionStore(file: string): SessionStore {
  const db = handleOf(sqlite(file));
  db.run(`CREATE TABLE IF NOT EXISTS ${SESSION_TABLE} (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL)`);
  const select = db.query<{ data: string; expires: number }, [string]>(`SELECT data, expires FROM ${SESSION_TABLE} WHERE id = ?`);
  const upsert = db.query(`INSERT INTO ${SESSION_TABLE} (id, data, expires) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, expires = excluded.expires`);
  const remove = db.query(`DELETE FROM ${SESSION_TABLE} WHERE id = ?`);
  const expired = db.query(`DELETE FROM ${SESSION_TABLE} WHERE expires <= ?`);
  return {
    load(id) {
      const key = keyOf(id);
      const row = select.get(key);
      if (!row) return null;
      if (row.expires <= Date.now()) {
        remove.run(key);
        return null;
      }
      return { data: JSON.parse(row.data) as Record<string, unknown>, expires: row.expires };
    },
    save(id, record) {
      upsert.run(keyOf(id), JSON.stringify(record.data), record.expires);
    },
    destroy(id) {
      remove.run(keyOf(id));
    },
    sweep(now) {
      expired.run(now);
    },
  };
}
