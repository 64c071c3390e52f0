// Sessions in Redis (scale-out.md): a session made on one instance is read on
// every other. Each session is one key holding its data and expiry as JSON,
// keyed like the SQLite store by the SHA-256 of the id (a dump of Redis hands
// out no live cookies), and expiring with the session, so `sweep` has
// nothing to do.
import type { RedisClient } from "bun";
import { nodeCrypto } from "../builtins.js";
import type { SessionRecord, SessionStore } from "./session-store.js";

const keyOf = (prefix: string, id: string) => `${prefix}session:${nodeCrypto().createHash("sha256").update(id).digest("hex")}`;

export function redisSessionStore(client: RedisClient, prefix: string): SessionStore {
  return {
    async load(id) {
      const text = await client.get(keyOf(prefix, id));
      if (text === null) return null;
      const record = JSON.parse(text) as SessionRecord;
      return record.expires > Date.now() ? record : null;
    },
    async save(id, record) {
      const ttl = Math.max(1, Math.ceil(record.expires - Date.now()));
      await client.set(keyOf(prefix, id), JSON.stringify(record), "PX", String(ttl));
    },
    async destroy(id) {
      await client.del(keyOf(prefix, id));
    },
    sweep() {
      // Redis expires the keys itself.
    },
  };
}
