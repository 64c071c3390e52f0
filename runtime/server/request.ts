// `req` for middleware, `(req, res)` handlers and `on_error`: a thin view of
// the fetch Request. Headers, query and ip are computed on first read, since
// most handlers look at few of them.
import { parseQuery } from "./query.js";
import { peekInfo } from "./request-info.js";
import { clientAddress } from "../security/client-ip.js";
import type { TovaRequest } from "./types.js";

// An incoming id is echoed into a header and the logs: accept only short, plain tokens.
const SAFE_ID = /^[\w.:@\-]{1,128}$/;

/** The request id: the incoming `X-Request-Id` when it is a plain token, else a new UUID. */
export function requestIdOf(raw: Request): string {
  const incoming = raw.headers.get("x-request-id");
  return incoming !== null && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/** The path of a URL, without query string or fragment. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

/** The query string of a URL (after `?`), or "" without one. */
export function queryStringOf(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return "";
  const hash = url.indexOf("#", q);
  return url.slice(q + 1, hash === -1 ? undefined : hash);
}

/** The `req` object. */
export class TovaRequestImpl implements TovaRequest {
  [key: string]: any;
  readonly method: string;
  readonly url: string;
  path: string;
  id: string;
  params: Record<string, string>;
  body: unknown = undefined;
  /** The fetch Request, for what the Tova view does not cover. */
  readonly raw: Request;
  private server: unknown;
  private cached: { headers?: Record<string, string | undefined>; query?: Record<string, string | undefined>; ip?: string; session?: unknown; user?: { value: any } } = {};

  constructor(raw: Request, path: string, id: string, params: Record<string, string>, server: unknown) {
    this.raw = raw;
    this.method = raw.method;
    this.url = raw.url;
    this.path = path;
    this.id = id;
    this.params = params;
    this.server = server;
  }

  get headers(): Record<string, string | undefined> {
    return (this.cached.headers ??= Object.fromEntries(this.raw.headers as unknown as Iterable<[string, string]>));
  }
  set headers(value: Record<string, string | undefined>) {
    this.cached.headers = value;
  }

  get query(): Record<string, string | undefined> {
    if (this.cached.query) return this.cached.query;
    const query: Record<string, string | undefined> = {};
    for (const [k, v] of parseQuery(queryStringOf(this.url))) query[k] = v[0];
    return (this.cached.query = query);
  }
  set query(value: Record<string, string | undefined>) {
    this.cached.query = value;
  }

  /** The client's address: what a layer worked out, else the socket's (or `X-Forwarded-For` under `trust_proxy`, runtime/security/client-ip.ts). */
  get ip(): string {
    return (this.cached.ip ??= peekInfo(this.raw)?.ip ?? clientAddress(this.raw, this.server));
  }
  set ip(value: string) {
    this.cached.ip = value;
  }

  /** The verified token's claims (`auth jwt`) or `{ key }` (`auth api_key`); None without. Middleware may set it. */
  get user(): any {
    return this.cached.user ? this.cached.user.value : (peekInfo(this.raw)?.user ?? null);
  }
  set user(value: any) {
    this.cached.user = { value };
  }

  /** `req.session`: set by the sessions layer (sessions.ts); without a `sessions` statement, every use says so. */
  get session(): unknown {
    return this.cached.session ?? peekInfo(this.raw)?.session ?? NO_SESSIONS;
  }
  set session(value: unknown) {
    this.cached.session = value;
  }

  /** A header by name, case-insensitively. */
  header(name: string): string | undefined {
    return this.raw.headers.get(name) ?? undefined;
  }
}

const noSessions = (): never => {
  throw new Error("req.session needs a `sessions { secret: env(\"SESSION_SECRET\") }` statement in this server block (security.md)");
};
const NO_SESSIONS = { get: noSessions, set: noSessions, delete: noSessions, regenerate: noSessions, destroy: noSessions };
