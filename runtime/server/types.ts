// The request and response objects that `(req, res)` handlers, middleware and
// `on_error` receive, and the application that generated server code builds.
// Plain structural types: no Hono or Bun type leaks into generated code.
import type { Schema } from "../schema/index.js";

/** The request as Tova code sees it (`req`). Middleware may add fields. */
export interface TovaRequest {
  /** `GET`, `POST`, ... */
  method: string;
  /** The path without the query string: `/api/alerts/7/resolve`. */
  path: string;
  /** The full URL. */
  url: string;
  /** The request id: the incoming `X-Request-Id`, or a generated UUID. */
  id: string;
  /** The client's address. */
  ip: string;
  /** Header values by lower-case name. */
  headers: Record<string, string | undefined>;
  /** Query-string values by name (the first one when repeated). */
  query: Record<string, string | undefined>;
  /** Path parameters by name (`:id`). */
  params: Record<string, string>;
  /** The parsed JSON body (a string for other content types; undefined without a body). */
  body: unknown;
  [key: string]: any;
}

/** `res.status`: a function that sets the status, and stands for the status as a value. */
export interface ResponseStatus {
  (code: number): TovaResponse;
  toJSON(): number;
  valueOf(): number;
  toString(): string;
}

/** The response as Tova code sees it (`res`). */
export interface TovaResponse {
  /**
   * `res.status(404)` sets the status. `res.status` alone stands for it (in
   * `on_finish`, the status that was sent): JSON, `print` and interpolation
   * show the number, `<`/`>=` compare it. `res.statusCode` is the number itself.
   */
  status: ResponseStatus;
  /** Answers now with `value` as JSON. */
  json(value: unknown): void;
  /** Answers now with text. */
  text(value: string): void;
  /** Answers now: strings as text, bytes as they are, anything else as JSON. */
  send(value: unknown): void;
  /** Sets a header on the response, whoever answers it. */
  setHeader(name: string, value: string): void;
  /** Same as `setHeader`. */
  header(name: string, value: string): void;
  /** Answers with a redirect (302 unless told). */
  redirect(url: string, status?: number): void;
  /** Runs `fn` once the response is ready. */
  on_finish(fn: () => void): void;
  /** True once an answer was given. */
  readonly sent: boolean;
  [key: string]: any;
}

/**
 * The `send` of an `sse` handler. `send(data)` sends a message without an
 * event name (the browser's `onmessage`): a string as it is, anything else
 * as JSON. `send(event, data)` names the event and sends `data` as JSON.
 */
export interface SseSend {
  (data: unknown): void;
  (event: string, data: unknown): void;
}

/**
 * A handler's parameter: bound from the request by name and checked against
 * its schema, or (`from`) the request or response object itself, for a
 * handler declared `(req, ...)` or `(req, res, ...)` with more parameters.
 */
export type Param = ValueParam | { name: string; from: "request" | "response" };

/** A parameter bound from the request's data (path, query string, JSON body or form). */
export interface ValueParam {
  name: string;
  schema: Schema<any>;
  /** The single record parameter that receives the whole JSON body. */
  wholeBody?: boolean;
  /** The parameter has a default value: when absent it is passed as undefined, so the default applies. */
  optional?: boolean;
}

/** What `createApp` needs: the block's name, its compiled port and the variable that overrides it. */
export interface AppOptions {
  /** The server block's name; null for the unnamed server. */
  name: string | null;
  /** The port assigned at compile time. */
  port: number;
  /** `PORT` or `PORT_<NAME>`: overrides `port` at run time. */
  portEnv: string;
}

/** The options for `Bun.serve`. */
export interface ServeOptions {
  port: number;
  hostname?: string;
  fetch(req: Request, server: any): Response | Promise<Response>;
  [k: string]: any;
}

/** A server block: its routes, RPC functions, middleware and lifecycle hooks. */
/** `cors { origins, methods, headers, credentials, max_age }` (security.md, "Server statements"). */
export interface CorsConfig {
  /** As the program gives it: a list, one origin, or null when an `env(...)` it reads is unset. */
  origins: string[] | string | null;
  methods?: string[];
  headers?: string[];
  credentials?: boolean;
  /** Seconds a preflight may be cached. */
  max_age?: number;
}

/** `rate_limit { requests, window, key }`: at most `requests` per `window` milliseconds for each `key(req)` (default `req.ip`). */
export interface RateLimitConfig {
  requests: number;
  window: number;
  key?: (req: TovaRequest) => unknown;
}

/** The compiled `security { }` block (security.md, "The `security` block"). */
export interface SecurityConfig {
  /**
   * `secret` and `keys` are what the program's expressions give at start (`env("JWT_SECRET")`): a
   * missing value (null) stops the start with a message naming it.
   */
  auth?: { kind: "jwt"; secret: string | null; expires?: number } | { kind: "api_key"; header: string; keys: string[] | string | null };
  /** Role name → its permissions. */
  roles?: Record<string, string[]>;
  /**
   * In order, the first match wins. `pattern` is a path with an optional trailing `*`; `require` is
   * "authenticated" or a role name. The compiler adds `/rpc/<fn>` entries for functions that protected
   * routes call (the strictest rule of any route that names them), before the program's own.
   */
  protect?: { pattern: string; require: string }[];
  cors?: CorsConfig;
  rate_limit?: RateLimitConfig;
  /** `trust_proxy true`, or the addresses of the proxies to trust. */
  trust_proxy?: boolean | string[];
}

export interface TovaApp {
  /** `route METHOD "/path" => handler`; `params` are the handler's, or `"req-res"` for a `(req, res)` handler. */
  route(method: string, path: string, handler: (...args: any[]) => unknown, params: Param[] | "req-res"): void;
  /** A plain `fn` of the block: `POST /rpc/<name>` with `{"__args": [...]}`. */
  rpc(name: string, handler: (...args: any[]) => unknown, params: ValueParam[]): void;
  /** `middleware fn m(req, res)`: runs before every handler, in declaration order. */
  use(middleware: (req: TovaRequest, res: TovaResponse) => unknown): void;
  /** `on_start`: runs (awaited, in order) before the server listens. */
  onStart(fn: () => unknown): void;
  /** `on_stop`: runs at graceful shutdown, after in-flight requests finish. */
  onStop(fn: () => unknown): void;
  /** `on_error fn(err, req, res)`: answers requests whose handler threw. */
  onError(fn: (err: any, req: TovaRequest, res: TovaResponse) => unknown): void;
  /** Runs on_start hooks and returns the options for Bun.serve (port from PORT/PORT_<NAME>, else the compiled one). */
  start(): Promise<ServeOptions>;
  /** SIGTERM/SIGINT: stop accepting, wait for in-flight requests, run on_stop hooks, exit 0. */
  stopOnSignals(server: { stop(closeActive?: boolean): unknown }): void;
  /** `Bun.serve(await app.start())`, then `stopOnSignals`: what a server module ends with. */
  listen(): Promise<void>;
  /** A `background fn` by its name in the program, which `spawn_job` may enqueue (a durable queue stores the name). */
  job(name: string, fn: (...args: any[]) => unknown): void;
  /** `schedule`: started once the server has started; six fields mean seconds first. */
  schedule(cron: string, name: string | null, fn: () => unknown): void;
  /**
   * `subscribe "event" fn(data: T) { }`: `schema` is T's schema, or null when the parameter is untyped;
   * data that does not fit is logged and dropped. Other blocks deliver through `POST /rpc/__event`, signed with TOVA_APP_KEY.
   */
  subscribe(event: string, fn: (data: any) => unknown, schema?: Schema<any> | null): void;
  /** Which server blocks receive each event this block publishes (decided by the compiler). */
  events(routes: Record<string, (string | null)[]>): void;
  /** `ws { }` / `websocket "/path" { }`: handlers on Bun's WebSocket support. */
  websocket(path: string, handlers: { on_open?: (socket: any) => unknown; on_message?: (socket: any, msg: any) => unknown; on_close?: (socket: any) => unknown }): void;
  /** `sse "/path" fn(send, close) { }`. */
  sse(path: string, fn: (send: SseSend, close: () => void) => unknown): void;
  /** `cors`, `cache`, ... blocks: the settings of one of them. */
  config(name: "cors" | "rate_limit" | "tls" | "sessions" | "cache" | "static" | "uploads", values: Record<string, any>): void;
  /** The application's `security { }` block (every server enforces it for its own routes and RPC endpoints). */
  security(config: SecurityConfig): void;
  /** A deploy block's `health:` path, answered like `GET /healthz` and never protected. */
  healthPath(path: string): void;
  /** `max_body N`: larger request bodies answer 413. */
  maxBody(bytes: number): void;
  /** The folder the server module runs from (`import.meta.dir`): `static { dir }` is relative to it. Default: the entry module's folder. */
  baseDir(dir: string): void;
  /** Serves the client blocks: the unnamed one at `/`, a named one at `/<name>/`; each page loads its `entry` (a module beside this server's file, in `dir`). */
  serveClients(dir: string, clients: readonly { entry: string; mount: string }[]): void;
  /** `server.f()` of a served client for a function of server block `peer`: forwarded there (client.md). */
  forwardRpc(peer: string, functions: readonly string[], address: { url: string | null; urlEnv: string; portEnv: string; port: number | null }): void;
}
