// Server configuration blocks (scaling.md, "Security Hardening", "Caching"):
// `cors` answers preflight requests and adds the CORS headers; `cache` sets a
// default Cache-Control. The other blocks (`rate_limit`, `tls`, `sessions`,
// `static`, `uploads`) are accepted and logged as not enforced yet.
import { logEvent } from "./log.js";

export interface Configs {
  cors?: Record<string, any>;
  rate_limit?: Record<string, any>;
  tls?: Record<string, any>;
  sessions?: Record<string, any>;
  cache?: Record<string, any>;
  static?: Record<string, any>;
  uploads?: Record<string, any>;
}

type Fetch = (req: Request, server: any) => Response | Promise<Response>;

export function applyConfig(configs: Configs, inner: Fetch): Fetch {
  for (const name of ["rate_limit", "tls", "sessions", "static", "uploads"] as const) {
    if (configs[name]) logEvent("warn", `the ${name} block is not enforced by this runtime yet`, {});
  }
  const cors = configs.cors;
  const cacheDefault = typeof configs.cache?.["default"] === "string" ? (configs.cache["default"] as string) : null;
  if (!cors && !cacheDefault) return inner;
  const origins: string[] = Array.isArray(cors?.["origins"]) ? cors!["origins"].map(String) : cors?.["origins"] ? [String(cors["origins"])] : ["*"];
  const methods = Array.isArray(cors?.["methods"]) ? cors!["methods"].join(", ") : "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  const decorate = (req: Request, res: Response): Response => {
    if (!res || !(res instanceof Response)) return res;
    if (cors) {
      const origin = req.headers.get("origin");
      const allowed = origins.includes("*") ? "*" : origin && origins.includes(origin) ? origin : null;
      if (allowed) {
        res.headers.set("access-control-allow-origin", allowed);
        if (cors["credentials"] === true) res.headers.set("access-control-allow-credentials", "true");
      }
    }
    if (cacheDefault && req.method === "GET" && !res.headers.has("cache-control")) res.headers.set("cache-control", cacheDefault);
    return res;
  };
  return (req, server) => {
    if (cors && req.method === "OPTIONS") {
      const res = new Response(null, { status: 204, headers: { "access-control-allow-methods": methods, "access-control-allow-headers": req.headers.get("access-control-request-headers") ?? "content-type", ...(cors["max_age"] ? { "access-control-max-age": String(cors["max_age"]) } : {}) } });
      return decorate(req, res);
    }
    const out = inner(req, server);
    return out instanceof Promise ? out.then((r) => decorate(req, r)) : decorate(req, out);
  };
}
