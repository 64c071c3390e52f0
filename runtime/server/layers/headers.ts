// The headers every answer carries (security.md, "The `security` block", last
// paragraph), `cache { default }` and `If-None-Match` → 304 (security.md,
// "Server statements": `cache`, `cache_control`, `etag`). The outermost layer,
// so CORS preflights, 429s, 401s, static files and the router's 404/405 all
// get them.
//
// The values are Hono's `secure-headers` defaults for these headers
// (X-Frame-Options DENY rather than its SAMEORIGIN, as the spec says). Hono's
// middleware runs on a Hono context, which the fast path (exact paths matched
// in a Map, app.ts) never builds, so its logic is applied to the Response
// here.
//
// The JSON answers of the pipeline (pipeline.ts), nearly every answer a
// program gives, are built with these headers already in: `defaultHeaders`
// hands it a Headers object made once, which `Response.json(v, { headers })`
// copies natively, and `prepared` marks the Response so that the layer then
// does only what depends on the final answer (GET caching, 304). Measured on
// Bun 1.4.5, in process (issue 15; min of 15 rounds of 100,000): Response.json
// then x-request-id and the three sets, 764 ns; Response.json with the shared
// Headers then x-request-id, 635 ns (a plain-object init is parsed per call:
// 1,031 ns). A POST's answer, which comes as a promise, is given the headers
// by the pipeline itself (`preparedPromise`), so the layer adds no `.then`.
import type { Fetch, Layer } from "./layer.js";

const NOSNIFF = "nosniff";
const DENY = "DENY";
const NO_REFERRER = "no-referrer";
/** Hono's `secure-headers` default: 180 days, subdomains too. */
export const HSTS = "max-age=15552000; includeSubDomains";

export interface HeadersOptions {
  /** `cache { default }`: Cache-Control for successful GET answers that set none. */
  cacheDefault?: string | null;
  /** The server listens with TLS (`tls { }`): every request came over HTTPS. */
  tls?: boolean;
}

/**
 * True when a request without Bun's own TLS came over HTTPS: a proxy that
 * terminated TLS says so in `X-Forwarded-Proto` (the deploy's Caddy). A forged
 * one on a plain-HTTP request only adds an HSTS header that browsers ignore
 * over plain HTTP (RFC 6797, section 8.1). (With `tls { }` Bun serves TLS
 * only, so the layer knows without reading `req.url`, a string Bun builds on
 * each read.)
 */
function proxiedHttps(req: Request): boolean {
  const proto = req.headers.get("x-forwarded-proto");
  return proto !== null && proto.slice(0, 5).toLowerCase() === "https";
}

/** A Response whose headers can be changed: a Response from `fetch()` has immutable ones. */
function mutable(res: Response): Response {
  try {
    res.headers.set(NOSNIFF_NAME, NOSNIFF);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set(NOSNIFF_NAME, NOSNIFF);
    return copy;
  }
}
const NOSNIFF_NAME = "x-content-type-options";

/** `If-None-Match` against an ETag, weak comparison (RFC 9110, 13.1.2): `W/"a"` matches `"a"`, `*` matches any. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const strip = (tag: string) => (tag.startsWith("W/") ? tag.slice(2) : tag).trim();
  const wanted = strip(etag);
  for (const candidate of ifNoneMatch.split(",")) {
    const c = candidate.trim();
    if (c === "*" || strip(c) === wanted) return true;
  }
  return false;
}

/** The 304 for a response whose ETag the client has: the headers stay (ETag, Cache-Control, Vary), the body goes. */
function notModified(res: Response): Response {
  const out = new Response(null, { status: 304, headers: res.headers });
  out.headers.delete("content-type");
  out.headers.delete("content-length");
  return out;
}

/** Set on a Response that has the default headers already (and nothing after it changed them): see `prepared`. */
const PREPARED: unique symbol = Symbol("tova.defaultHeaders");

/**
 * Marks a Response whose headers were initialised from `defaultHeaders` for
 * this request (or set by its `apply`), so the layer does not set them again.
 * Only for a Response nothing changed those headers on after (a middleware's
 * own `X-Frame-Options` is overridden by the layer, so such an answer is not
 * prepared): a copy another layer makes (`new Response(body, res)`) is not
 * marked and is decorated in full.
 */
export function prepared(res: Response): Response {
  (res as unknown as Record<symbol, boolean>)[PREPARED] = true;
  return res;
}

export function isPrepared(res: Response): boolean {
  return (res as unknown as Record<symbol, boolean>)[PREPARED] === true;
}

/**
 * Marks the promise of an answer to a request other than GET or HEAD whose
 * Response will be prepared, whatever it is: the layer passes the promise on
 * as it is, without a `.then` (a promise, a closure and a microtask per
 * request) just to find nothing to do. GET and HEAD answers always go through
 * the layer, which may still change them (cache default, 304).
 */
export function preparedPromise(answer: Promise<Response>): Promise<Response> {
  (answer as unknown as Record<symbol, boolean>)[PREPARED] = true;
  return answer;
}

/** The default headers for the pipeline (pipeline.ts), which builds most answers with them. */
export interface DefaultHeaders {
  /** A Headers object to build a Response for `req` with (`{ headers }`: copied, never changed); then `prepared` it. */
  for(req: Request): Headers;
  /** `res` with the default headers set (a copy if its headers are immutable), prepared. */
  apply(req: Request, res: Response): Response;
}

/** Sets the default headers on `res`, or on a copy of it if its headers are immutable. */
function setDefaults(req: Request, res: Response, tls: boolean): Response {
  const out = mutable(res);
  const headers = out.headers;
  headers.set("x-frame-options", DENY);
  headers.set("referrer-policy", NO_REFERRER);
  if (tls || proxiedHttps(req)) headers.set("strict-transport-security", HSTS);
  return out;
}

/** The default headers as the layer with these options sets them: one Headers object per variant (with or without HSTS), built once. */
export function defaultHeaders(options: HeadersOptions = {}): DefaultHeaders {
  const base: Record<string, string> = { [NOSNIFF_NAME]: NOSNIFF, "x-frame-options": DENY, "referrer-policy": NO_REFERRER };
  const plain = new Headers(base);
  const secure = new Headers({ ...base, "strict-transport-security": HSTS });
  const tls = options.tls === true;
  return {
    for: tls ? () => secure : (req) => (proxiedHttps(req) ? secure : plain),
    apply: (req, res) => prepared(setDefaults(req, res, tls)),
  };
}

/** The layer: the default headers on every answer, plus what `cache` and `etag` ask for. */
export function headersLayer(options: HeadersOptions = {}): Layer {
  const cacheDefault = options.cacheDefault ?? null;
  const tls = options.tls === true;
  return (next: Fetch): Fetch => {
    const decorate = (req: Request, out: Response): Response => {
      // A WebSocket upgrade answers nothing (app.ts); there is no response to decorate.
      if (out === undefined) return out;
      const res = isPrepared(out) ? out : setDefaults(req, out, tls);
      const method = req.method;
      if ((method === "GET" || method === "HEAD") && res.status === 200) {
        const headers = res.headers;
        if (cacheDefault !== null && !headers.has("cache-control")) headers.set("cache-control", cacheDefault);
        const inm = req.headers.get("if-none-match");
        if (inm !== null) {
          const tag = headers.get("etag");
          if (tag !== null && etagMatches(inm, tag)) return notModified(res);
        }
      }
      return res;
    };
    return (req, server) => {
      const out = next(req, server);
      if (out instanceof Promise) return (out as unknown as Record<symbol, boolean>)[PREPARED] === true ? out : out.then((r) => decorate(req, r));
      return decorate(req, out);
    };
  };
}
