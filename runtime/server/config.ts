// The values of a server block's statements (security.md, "Server
// statements"), as `app.config(name, values)` stores them. Each is enforced by
// its own layer or module, which reads its keys: `cors` layers/cors.ts,
// `cache` layers/headers.ts, `uploads` uploads/store.ts, `rate_limit`
// runtime/security/rate-limit.ts, `tls` tls.ts, `sessions` sessions.ts,
// `static` static.ts.
export interface Configs {
  cors?: Record<string, any>;
  rate_limit?: Record<string, any>;
  tls?: Record<string, any>;
  sessions?: Record<string, any>;
  cache?: Record<string, any>;
  static?: Record<string, any>;
  uploads?: Record<string, any>;
}
