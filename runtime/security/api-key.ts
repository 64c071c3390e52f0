// `auth api_key { header, keys }` (security.md): `req.user` is `{ key }`.
//
// Keys are compared in constant time: both sides are hashed (SHA-256) so the
// comparison has a fixed length whatever the key's, then compared with
// `timingSafeEqual`, against every configured key without stopping at the
// first match. The time a request takes says nothing about how close its key
// was, or which key it matched.
import { nodeCrypto } from "../builtins.js";

export interface ApiKeyConfig {
  header: string;
  /** A list, or one string of comma-separated keys; null when its environment variable is unset. */
  keys: readonly string[] | string | null;
}

export interface ApiKeys {
  /** `{ key }` for a request carrying a configured key, else null. */
  userOf(raw: Request): { key: string } | null;
}

const digest = (s: string): Buffer => nodeCrypto().createHash("sha256").update(s).digest();

export function apiKeys(config: ApiKeyConfig): ApiKeys {
  const header = config.header;
  if (typeof header !== "string" || header === "") throw new Error("auth api_key: the header name is empty");
  // `env("API_KEYS") |> split(",")` of an unset or empty variable gives [""]: an empty key would let in anyone sending an empty header.
  const given = config.keys === null || config.keys === undefined ? [] : typeof config.keys === "string" ? config.keys.split(",") : config.keys;
  const keys = given.map((k) => String(k).trim()).filter((k) => k !== "");
  if (keys.length === 0) throw new Error("auth api_key: no keys (is the environment variable they are read from, such as API_KEYS, set?)");
  const hashed = keys.map((k) => ({ key: k, hash: digest(k) }));
  return {
    userOf(raw) {
      const presented = raw.headers.get(header);
      if (presented === null || presented === "") return null;
      const h = digest(presented.trim());
      let found: string | null = null;
      for (const k of hashed) if (nodeCrypto().timingSafeEqual(h, k.hash) && found === null) found = k.key;
      return found === null ? null : { key: found };
    },
  };
}
