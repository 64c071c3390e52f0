// The security block's `auth`, `role` and `protect` (security.md, "The
// `security` block"), as one layer of `App.layers()`:
//
// 1. With `protect` rules, the path is normalised (paths.ts) and, when it was
//    spelt otherwise, the request is rewritten to the normal form so the
//    router sees the path that was checked.
// 2. The request's token (`auth jwt`) or key (`auth api_key`) is verified;
//    a valid one's claims (or `{ key }`) become `req.user`, on every path. An
//    invalid one on an unprotected path is as if there were none.
// 3. The first matching `protect` rule decides: no valid token, 401
//    `{"error": "authentication required"}` with `WWW-Authenticate: Bearer`;
//    a valid token without the role, 403 `{"error": "forbidden"}`. `GET` (and
//    `HEAD`) of `/healthz` and of the deploy health path are never protected.
//
// It also keeps what `sign_jwt`, `has_role` and `can` need (one security
// block per application, so one per process).
import { logEvent } from "../server/log.js";
import { pathOf } from "../server/request.js";
import { infoOf, peekInfo } from "../server/request-info.js";
import type { Layer } from "../server/layers/layer.js";
import type { SecurityConfig } from "../server/types.js";
import { apiKeys } from "./api-key.js";
import { clientIp, setProcessTrust, trustOf, type Trust } from "./client-ip.js";
import { jwt, tokenOf, type Jwt } from "./jwt.js";
import { needsNormalising, normalisePath, protectMatcher, type Matcher } from "./paths.js";
import { refuse } from "./respond.js";
import { admitSigned, claimsInternal } from "../server/internal.js";

export interface AuthOptions {
  /** Paths whose GET is never protected. Default: `/healthz` and the deploy block's `health:` path (`TOVA_HEALTH_PATH`, which the deploy sets). */
  health?: readonly string[];
}

interface Active {
  jwt: Jwt | null;
  roles: ReadonlyMap<string, readonly string[]>;
}

let active: Active = { jwt: null, roles: new Map() };

/** The roles a user's claims name: `role` (a string) and `roles` (an array of strings). */
export function rolesOf(user: unknown): string[] {
  if (typeof user !== "object" || user === null) return [];
  const { role, roles } = user as { role?: unknown; roles?: unknown };
  const out: string[] = [];
  if (typeof role === "string") out.push(role);
  if (Array.isArray(roles)) for (const r of roles) if (typeof r === "string") out.push(r);
  return out;
}

/** The user has the role `name`. */
export function userHasRole(user: unknown, name: string): boolean {
  return rolesOf(user).includes(name);
}

/** One of the user's roles, as declared in the security block, grants `permission`. */
export function userCan(user: unknown, permission: string): boolean {
  for (const role of rolesOf(user)) if (active.roles.get(role)?.includes(permission)) return true;
  return false;
}

/** `sign_jwt(claims)`: a token signed with the block's secret, `exp` from its `expires`. */
export function signToken(claims: Record<string, unknown>): string {
  if (active.jwt === null) throw new Error("sign_jwt needs `auth jwt { secret, expires }` in the security block (and the server started)");
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw new Error("sign_jwt: the claims must be a record");
  return active.jwt.sign(claims);
}

const UNAUTHORIZED_HEADERS = { "www-authenticate": "Bearer" };
/** The largest signed body a peer's call may have (the JSON body limit's default, security.md). */
const INTERNAL_BODY_LIMIT = 1024 * 1024;

/** The auth layer of `App.layers()`: none when the block declares no `auth`. */
export function authLayer(security: SecurityConfig | null, options: AuthOptions = {}): Layer[] {
  const trust = trustOf(security?.trust_proxy);
  setProcessTrust(trust);
  const roles = new Map(Object.entries(security?.roles ?? {}));
  const rules = security?.protect ?? [];
  for (const rule of rules) {
    if (rule.require !== "authenticated" && !roles.has(rule.require)) throw new Error(`protect ${JSON.stringify(rule.pattern)}: unknown role ${rule.require}`);
  }
  const auth = security?.auth;
  const verifier = auth?.kind === "jwt" ? jwt(auth) : null;
  active = { jwt: verifier, roles };
  if (!auth) {
    if (rules.length > 0) throw new Error("protect needs `auth jwt` or `auth api_key` in the security block");
    return [];
  }
  const keys = auth.kind === "api_key" ? apiKeys(auth) : null;
  const identify = verifier !== null ? (raw: Request) => {
    const token = tokenOf(raw);
    return token === null ? null : verifier.verify(token);
  } : (raw: Request) => keys!.userOf(raw);
  const matcher: Matcher | null = rules.length > 0 ? protectMatcher(rules) : null;
  const health = new Set(options.health ?? ["/healthz", process.env["TOVA_HEALTH_PATH"] || "/healthz"]);

  return [(next) => (raw, server) => {
    let req = raw;
    let rule: string | null = null;
    if (matcher !== null) {
      const path = pathOf(raw.url);
      let check = path;
      if (needsNormalising(path)) {
        const normal = normalisePath(path);
        if (normal === null) return refuse(400, "malformed path");
        if (normal.routed !== path) req = rewrite(raw, path, normal.routed, server, trust);
        check = normal.check;
      }
      rule = health.has(check) && (raw.method === "GET" || raw.method === "HEAD") ? null : matcher(check);
    }
    // A call from one of the application's own servers (a peer's RPC, signed with TOVA_APP_KEY: internal.ts)
    // passes: the server that called already admitted the request it is serving (security.md).
    if (rule !== null && claimsInternal(raw)) {
      const signedReq = req;
      return admitSigned(signedReq, INTERNAL_BODY_LIMIT).then((admitted) => (admitted ? next(admitted, server) : refused(raw, 401)));
    }
    const found = identify(raw);
    if (found === null) return rule === null ? next(req, server) : refused(raw, 401);
    if (found instanceof Promise) return found.then((user) => admit(user, rule, req, server, next));
    return admit(found, rule, req, server, next);
  }];

  function admit(user: unknown, rule: string | null, req: Request, server: unknown, next: (r: Request, s: unknown) => Response | Promise<Response>): Response | Promise<Response> {
    if (user !== null) infoOf(req).user = user;
    if (rule !== null) {
      if (user === null) return refused(req, 401);
      if (rule !== "authenticated" && !userHasRole(user, rule)) return refused(req, 403);
    }
    return next(req, server);
  }
}

function refused(raw: Request, status: 401 | 403): Response {
  logEvent("info", "request refused", { method: raw.method, path: pathOf(raw.url), status });
  return status === 401 ? refuse(401, "authentication required", UNAUTHORIZED_HEADERS) : refuse(403, "forbidden");
}

/**
 * The same request at its normal path. A Request made in code has no socket,
 * so the client's address is worked out now and kept with the request's info
 * (`req.ip` reads it there), as is anything outer layers already noted.
 */
function rewrite(raw: Request, path: string, routed: string, server: unknown, trust: Trust | null): Request {
  const url = raw.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const req = new Request(url.slice(0, start) + routed + url.slice(start + path.length), raw);
  const info = infoOf(req);
  const before = peekInfo(raw);
  if (before) Object.assign(info, before);
  info.ip ??= clientIp(raw, server, trust);
  return req;
}
