// CORS (security.md, "Server statements": `cors { origins, methods, headers,
// credentials, max_age }`, also the `security` block's `cors`).
//
// - A preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`)
//   from an allowed origin asking for an allowed method answers 204 with the
//   allowed methods and headers, `Access-Control-Max-Age` when `max_age` is
//   set, and credentials when `credentials: true`.
// - A refused preflight (origin or method not allowed) answers 403
//   `{"error": "CORS preflight refused"}` without any CORS header: the browser
//   fails it either way, and a 403 says why in the log line and to curl,
//   where an empty 204 would look like success.
// - Any other request from an allowed origin gets the origin echoed, and
//   `Vary: Origin` (so a shared cache never serves one origin's answer to
//   another); a disallowed origin, or no `Origin`, gets no CORS header (but
//   still `Vary: Origin`). With `origins: ["*"]` the answer is `*` for every
//   origin and does not vary.
//
// The logic follows Hono's `cors` middleware, written against the fetch
// Request/Response because Hono's needs its context (which the Map fast path
// of app.ts never builds) and because Hono's sets
// `Access-Control-Allow-Credentials` even for origins it refuses.
import type { CorsConfig } from "../types.js";
import type { Fetch, Layer } from "./layer.js";

const DEFAULT_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** The statement's values as the compiler passes them (`origins` may be one string). */
export type CorsValues = Partial<Omit<CorsConfig, "origins">> & { origins?: string[] | string | null };

function list(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  return (Array.isArray(value) ? value : [value]).map((v) => String(v).trim()).filter((v) => v !== "");
}

export function corsLayer(config: CorsValues): Layer {
  const origins = new Set(list(config.origins) ?? []);
  const any = origins.has("*");
  const methods = (list(config.methods) ?? DEFAULT_METHODS).map((m) => m.toUpperCase());
  const allowedMethods = new Set(methods);
  const methodsText = methods.join(", ");
  const headersText = list(config.headers)?.join(", ") ?? null;
  const credentials = config.credentials === true;
  // `max_age` is in seconds, as Access-Control-Max-Age is.
  const maxAge = typeof config.max_age === "number" && config.max_age >= 0 ? String(Math.floor(config.max_age)) : null;

  const allowedOrigin = (origin: string | null): string | null => (origin === null ? null : any ? "*" : origins.has(origin) ? origin : null);

  const preflight = (req: Request, origin: string | null, method: string): Response => {
    const allowed = allowedOrigin(origin);
    const vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    if (allowed === null || !allowedMethods.has(method.toUpperCase())) {
      return Response.json({ error: "CORS preflight refused" }, { status: 403, headers: { vary } });
    }
    const headers: Record<string, string> = {
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": methodsText,
      vary,
    };
    // Without a `headers` list, the headers the browser asks for are allowed: the origin is the boundary, not the header names.
    const asked = headersText ?? req.headers.get("access-control-request-headers");
    if (asked) headers["access-control-allow-headers"] = asked;
    if (credentials) headers["access-control-allow-credentials"] = "true";
    if (maxAge !== null) headers["access-control-max-age"] = maxAge;
    return new Response(null, { status: 204, headers });
  };

  const decorate = (origin: string | null, res: Response): Response => {
    if (res === undefined) return res; // a WebSocket upgrade
    const allowed = allowedOrigin(origin);
    // `*` answers every origin alike: nothing varies.
    if (any && allowed === null) return res;
    let out = res;
    try {
      out.headers.set("access-control-allow-origin", allowed ?? "");
    } catch {
      out = new Response(res.body, res);
    }
    const headers = out.headers;
    if (allowed === null) headers.delete("access-control-allow-origin");
    else {
      headers.set("access-control-allow-origin", allowed);
      if (credentials) headers.set("access-control-allow-credentials", "true");
    }
    if (!any) headers.append("vary", "Origin");
    return out;
  };

  return (next: Fetch): Fetch =>
    (req, server) => {
      const origin = req.headers.get("origin");
      if (req.method === "OPTIONS") {
        const method = req.headers.get("access-control-request-method");
        if (method !== null) return preflight(req, origin, method);
      }
      const out = next(req, server);
      return out instanceof Promise ? out.then((r) => decorate(origin, r)) : decorate(origin, out);
    };
}
