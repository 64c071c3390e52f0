// `sessions { secret, max_age, secure, http_only, same_site }` (security.md,
// "Server statements"): a random session id in the signed cookie `tova_sid`
// (HMAC-SHA256 with `secret`, signed and verified by Hono's cookie helpers, so
// the comparison is crypto.subtle's), the data on the server (session-store.ts).
// A cookie whose signature does not verify, or whose session is unknown or
// expired, is a new, empty session. A session is written, and its cookie
// sent, only when the handler changed it: an anonymous request costs nothing
// and creates no row. It expires `max_age` after it was last written.
import { parseSigned, serialize, serializeSigned } from "hono/utils/cookie";
import { exitWithError } from "./lifecycle.js";
import { infoOf } from "./request-info.js";
import { cameOverHttps } from "../security/client-ip.js";
import { sqliteSessionStore, type SessionStore } from "./session-store.js";
import type { Layer } from "./layers/layer.js";

/** The values of `app.config("sessions", { ... })`; `max_age` in milliseconds. */
export interface SessionsConfig {
  secret?: unknown;
  max_age?: number;
  /** Default: Secure when the request came over HTTPS. */
  secure?: boolean;
  /** Default true. */
  http_only?: boolean;
  /** "lax" (default), "strict" or "none" (which implies Secure). */
  same_site?: string;
  /** The SQLite file of the block's database (what its models open); default `sessions.db`. */
  database?: string;
}

/** `req.session`. */
export interface TovaSession {
  /** The value stored under `key`, or None (null). */
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** A new id for the same data (call it at login: an id an attacker planted stops working). */
  regenerate(): void;
  /** Forgets the session on the server and clears the cookie. */
  destroy(): void;
}

export const SESSION_COOKIE = "tova_sid";
const DEFAULT_MAX_AGE = 24 * 60 * 60 * 1000;
const MAX_COOKIE_AGE_S = 400 * 24 * 60 * 60; // browsers cap Max-Age at 400 days (RFC 6265bis), Hono refuses more
const ID = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits, base64url. */
function newId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

class Session implements TovaSession {
  /** Ids whose rows go: the one `regenerate` replaced, the one `destroy` ended. */
  readonly gone: string[] = [];
  changed = false;
  constructor(
    public id: string | null,
    public data: Record<string, unknown>,
    /** The id the request's cookie carried, when it named a live session. */
    readonly incoming: string | null,
  ) {}

  get(key: string): unknown {
    return Object.hasOwn(this.data, key) ? this.data[key] : null;
  }

  set(key: string, value: unknown): void {
    if (value === undefined) return this.delete(key);
    // Fails here, in the handler, rather than after the response was made.
    if (JSON.stringify(value) === undefined) throw new TypeError(`req.session.set(${JSON.stringify(key)}, ...): the value cannot be stored as JSON`);
    this.data[key] = value;
    this.touch();
  }

  delete(key: string): void {
    if (!Object.hasOwn(this.data, key)) return;
    delete this.data[key];
    this.touch();
  }

  regenerate(): void {
    if (this.id !== null) this.gone.push(this.id);
    this.id = newId();
    this.changed = true;
  }

  destroy(): void {
    if (this.id !== null) this.gone.push(this.id);
    this.id = null;
    this.data = {};
    this.changed = false;
  }

  private touch(): void {
    this.id ??= newId();
    this.changed = true;
  }
}

/** The `sessions` layer. `store` replaces the SQLite store (tests; Redis later). */
export function sessions(config: SessionsConfig, store?: SessionStore): Layer {
  const secret = config.secret;
  if (typeof secret !== "string" || secret === "") exitWithError("sessions: secret must be a non-empty string (read it from the environment: secret: env(\"SESSION_SECRET\"))");
  const maxAge = config.max_age ?? DEFAULT_MAX_AGE;
  if (!(typeof maxAge === "number" && maxAge > 0)) exitWithError(`sessions: max_age must be a positive duration, got ${JSON.stringify(maxAge)}`);
  const sameSite = (config.same_site ?? "lax").toLowerCase();
  if (sameSite !== "lax" && sameSite !== "strict" && sameSite !== "none") exitWithError(`sessions: same_site must be "lax", "strict" or "none", got ${JSON.stringify(config.same_site)}`);
  const httpOnly = config.http_only ?? true;
  const sessionStore = store ?? sqliteSessionStore(config.database ?? "sessions.db");
  void sessionStore.sweep(Date.now());
  setInterval(() => void sessionStore.sweep(Date.now()), Math.min(maxAge, 60 * 60 * 1000)).unref();

  /** The Set-Cookie value for `id`, or the one that clears the cookie (`id` null). */
  const cookie = async (https: boolean, id: string | null): Promise<string> => {
    const secure = config.secure ?? https;
    const options = { path: "/", httpOnly, secure: secure || sameSite === "none", sameSite: sameSite as "lax" };
    if (id === null) return serialize(SESSION_COOKIE, "", { ...options, maxAge: 0 });
    return serializeSigned(SESSION_COOKIE, id, secret, { ...options, maxAge: Math.min(Math.ceil(maxAge / 1000), MAX_COOKIE_AGE_S) });
  };

  const load = async (req: Request): Promise<Session> => {
    const header = req.headers.get("cookie");
    if (header === null || !header.includes(SESSION_COOKIE)) return new Session(null, {}, null);
    const id = (await parseSigned(header, secret, SESSION_COOKIE))[SESSION_COOKIE];
    if (typeof id !== "string" || !ID.test(id)) return new Session(null, {}, null);
    const record = await sessionStore.load(id);
    return record ? new Session(id, record.data, id) : new Session(null, {}, null);
  };

  const commit = async (https: boolean, session: Session, res: Response): Promise<Response> => {
    for (const id of session.gone) await sessionStore.destroy(id);
    let setCookie: string | null = null;
    if (session.id !== null && session.changed) {
      await sessionStore.save(session.id, { data: session.data, expires: Date.now() + maxAge });
      setCookie = await cookie(https, session.id);
    } else if (session.id === null && session.incoming !== null) {
      setCookie = await cookie(https, null); // destroyed: clear the browser's cookie
    }
    if (setCookie === null || !res) return res;
    try {
      res.headers.append("set-cookie", setCookie);
      return res;
    } catch {
      // A Response with immutable headers (one a handler got from fetch): copy it.
      const copy = new Response(res.body, res);
      copy.headers.append("set-cookie", setCookie);
      return copy;
    }
  };

  return (next) => async (req, server) => {
    const session = await load(req);
    infoOf(req).session = session;
    const res = await next(req, server);
    // Behind the deploy's Caddy the request reaches us over plain HTTP: the trusted proxy says how it came.
    return commit(cameOverHttps(req, server), session, res);
  };
}
