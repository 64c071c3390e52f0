// `createApp`: the application a server block compiles to. Registration
// compiles each handler's parameter binder once; `start` assembles the Hono
// router (routes, RPC endpoints, /healthz, the 404 answer) and hands
// Bun.serve its options.
import { Hono } from "hono";
import path from "node:path";
import { bindsBody, formKinds, pathParamNames, routeBinder, rpcBinder, valueParams } from "./binding.js";
import { flushLogs, logEvent, requestLineHead } from "./log.js";
import { installSignalHandlers, resolveHost, resolvePort, runHooks } from "./lifecycle.js";
import { pathOf } from "./request.js";
import { Exchange, type Endpoint, type ErrorHandler, type Middleware, type Shared } from "./pipeline.js";
import type { AppOptions, Param, SecurityConfig, ValueParam, ServeOptions, SseSend, TovaApp } from "./types.js";
import { compose, type Layer } from "./layers/layer.js";
import { hasSubscriptions, prepareEvents, setEventIdentity, setEventRoutes, startEvents, stopEvents, subscribe } from "./events.js";
import { internalEndpoints } from "./layers/internal.js";
import type { Schema } from "../schema/index.js";
import { drainJobs, registerJob, setJobBlock, startJobs } from "./jobs.js";
import { startSchedule, stopSchedules } from "./schedule.js";
import { relayBroadcasts, sseResponse, websocketOptions, type WsHandlers } from "./realtime.js";
import type { Configs } from "./config.js";
import { clientFiles, type ClientFiles, type ClientMount } from "./client-files.js";
import { forwardRpc, type RpcForward } from "./rpc-forward.js";
import { sharedRedis } from "./redis.js";
import { redisSessionStore } from "./session-store-redis.js";
import { redisRateStores } from "../security/rate-limit-redis.js";
import type { PeerAddress } from "./peers.js";
import { cacheControlOf, routeClaims, staticFiles } from "./static.js";
import { sessions } from "./sessions.js";
import { tlsOptions } from "./tls.js";
import { rateLimitLayer } from "../security/rate-limit.js";
import { authLayer } from "../security/auth.js";
import { defaultHeaders, headersLayer } from "./layers/headers.js";
import { corsLayer } from "./layers/cors.js";
import { DEFAULT_BODY_LIMIT } from "./uploads/body.js";
import { uploadConfig } from "./uploads/store.js";

/** The longest URL answered (RFC 9112, 3: at least 8000 octets should be supported). */
const MAX_URL = 8192;

interface Registered {
  method: string;
  path: string;
  endpoint: Endpoint;
}

class App implements TovaApp {
  private readonly registered: Registered[] = [];
  private readonly startHooks: (() => unknown)[] = [];
  private readonly stopHooks: (() => unknown)[] = [];
  private readonly schedules: { cron: string; name: string | null; fn: () => unknown }[] = [];
  private ws: { path: string; handlers: WsHandlers } | null = null;
  private readonly streams = new Map<string, (send: SseSend, close: () => void) => unknown>();
  private readonly configs: Configs = {};
  private bodyLimit: number | null = null;
  private clientFiles: ClientFiles | null = null;
  private clientSpec: { dir: string; clients: readonly ClientMount[] } | null = null;
  /** `server.f()` calls of the clients this server serves, for functions of other server blocks (rpc-forward.ts). */
  private readonly forwards = new Map<string, RpcForward>();
  private securityConfig: SecurityConfig | null = null;
  /** The build folder, where the server module runs from (`app.baseDir(import.meta.dir)`); `static.dir` is relative to it. */
  private base: string = typeof Bun === "undefined" ? process.cwd() : path.dirname(Bun.main);
  private readonly shared: Shared;

  constructor(private readonly options: AppOptions) {
    setEventIdentity(options.name);
    setJobBlock(options.name);
    this.shared = {
      inflight: 0,
      middleware: [],
      onError: null,
      serviceField: options.name === null ? "" : `,"service":${JSON.stringify(options.name)}`,
      health: () => (options.name === null ? { status: "ok", uptime: process.uptime() } : { status: "ok", uptime: process.uptime(), service: options.name }),
      bodyLimit: DEFAULT_BODY_LIMIT,
      uploads: null,
      defaultHeaders: null,
    };
  }

  route(method: string, path: string, handler: (...args: any[]) => unknown, params: Param[] | "req-res"): void {
    const m = method.toUpperCase();
    if (params === "req-res") {
      this.add(m, path, { kind: "req-res", handler, bind: null, readsBody: bindsBody(m), skipsMiddleware: false });
      return;
    }
    const inPath = pathParamNames(path);
    const readsBody = bindsBody(m) && valueParams(params).some((p) => !inPath.has(p.name));
    this.add(m, path, { kind: "route", handler, bind: routeBinder(m, path, params), readsBody, skipsMiddleware: false, form: formKinds(m, path, params) });
  }

  rpc(name: string, handler: (...args: any[]) => unknown, params: ValueParam[]): void {
    this.add("POST", `/rpc/${name}`, { kind: "rpc", handler, bind: rpcBinder(params), readsBody: true, skipsMiddleware: false });
  }

  use(middleware: Middleware): void {
    this.shared.middleware.push(middleware);
  }

  onStart(fn: () => unknown): void {
    this.startHooks.push(fn);
  }

  onStop(fn: () => unknown): void {
    this.stopHooks.push(fn);
  }

  onError(fn: ErrorHandler): void {
    this.shared.onError = fn;
  }

  /** A `background fn`, by its name in the program (the name a durable queue stores, stable across releases and minifying). */
  job(name: string, fn: (...args: any[]) => unknown): void {
    registerJob(name, fn);
  }

  schedule(cron: string, name: string | null, fn: () => unknown): void {
    this.schedules.push({ cron, name, fn });
  }

  /**
   * `subscribe "event" fn(x: T) { }`: `schema` is T's schema (null when untyped); data that does not fit
   * never reaches `fn`. Other blocks deliver through `POST /rpc/__event` (layers/internal.ts).
   */
  subscribe(event: string, fn: (data: any) => unknown, schema: Schema<any> | null = null): void {
    subscribe(event, fn, schema);
  }

  events(routes: Record<string, (string | null)[]>): void {
    setEventRoutes(routes);
  }

  websocket(path: string, handlers: WsHandlers): void {
    this.ws = { path, handlers };
  }

  sse(path: string, fn: (send: SseSend, close: () => void) => unknown): void {
    this.streams.set(path, fn);
  }

  config(name: keyof Configs, values: Record<string, any>): void {
    this.configs[name] = values;
  }

  maxBody(bytes: number): void {
    this.bodyLimit = bytes;
  }

  security(config: SecurityConfig): void {
    this.securityConfig = config;
  }

  private readonly extraHealth = new Set<string>();

  /** A deploy block's `health:` path (the compiler names each): answered like `/healthz`, never protected. */
  healthPath(path: string): void {
    this.extraHealth.add(path);
  }

  /** `/healthz`, the deploy blocks' health paths, and the one the deploy's unit names (`TOVA_HEALTH_PATH`). */
  private healthPaths(): string[] {
    return [...new Set(["/healthz", ...this.extraHealth, ...(process.env["TOVA_HEALTH_PATH"] ? [process.env["TOVA_HEALTH_PATH"]] : [])])];
  }

  /**
   * The layers around the router, outermost first (security.md): response
   * headers on every answer, CORS preflights, rate limits, authentication and
   * `protect`, sessions, static files. Only what the program declares is here.
   */
  private layers(): Layer[] {
    const layers: Layer[] = [];
    const headerOptions = { cacheDefault: typeof this.configs.cache?.["default"] === "string" ? this.configs.cache["default"] : null, tls: this.configs.tls !== undefined };
    layers.push(headersLayer(headerOptions)); // layers/headers.ts: every answer
    this.shared.defaultHeaders = defaultHeaders(headerOptions); // the pipeline's JSON answers are built with them
    // After the response headers, before CORS, rate limits and `protect`: requests between the app's servers carry their own proof (an HMAC).
    if (hasSubscriptions()) layers.push(internalEndpoints(this.shared, this.bodyLimit));
    const cors = this.configs.cors ?? this.securityConfig?.cors; // the server's own statement wins over the security block's
    if (cors) layers.push(corsLayer(cors)); // layers/cors.ts
    // Counters and sessions shared by every instance when the application has a Redis (REDIS_URL), else in the process.
    const redis = sharedRedis();
    layers.push(...rateLimitLayer(this.securityConfig, this.configs.rate_limit, redis ? redisRateStores(redis.client, redis.prefix) : undefined)); // runtime/security/rate-limit.ts
    layers.push(...authLayer(this.securityConfig, { health: this.healthPaths() })); // runtime/security/auth.ts: auth, roles, protect (the health paths stay open)
    if (this.configs.sessions) layers.push(sessions(this.configs.sessions, redis ? redisSessionStore(redis.client, redis.prefix) : undefined));
    if (this.configs.static) layers.push(staticFiles(this.configs.static, this.base, this.claimedPaths()));
    return layers;
  }

  /** Paths the router and the runtime answer: `static` never looks them up on disk (routes win over files). */
  private claimedPaths(): (pathname: string) => boolean {
    const claims = routeClaims([...this.registered.map((r) => r.path), ...this.healthPaths(), ...(this.ws ? [this.ws.path] : []), ...this.streams.keys()]);
    const client = this.client;
    return client ? (p) => client.has(p) || claims(p) : claims;
  }

  baseDir(dir: string): void {
    this.base = dir;
  }

  /** The client blocks: the unnamed one at `/`, each named one at `/<name>/` (client.md). */
  serveClients(dir: string, clients: readonly ClientMount[]): void {
    this.clientSpec = { dir, clients };
  }

  /** The clients' files, read once, after every statement (`static`'s `cache` applies to the production bundles). */
  private get client(): ClientFiles | null {
    if (!this.clientSpec) return null;
    return (this.clientFiles ??= clientFiles(this.clientSpec.dir, this.clientSpec.clients, this.options.name ?? "Tova", cacheControlOf(this.configs.static)));
  }

  /** The clients' calls of functions that `peer` defines, forwarded to it (client.md: one origin for the browser). */
  forwardRpc(peer: string, functions: readonly string[], options: PeerAddress): void {
    for (const fn of functions) this.forwards.set(fn, { peer, options });
  }

  async start(): Promise<ServeOptions> {
    const port = resolvePort(this.options);
    prepareEvents();
    const tls = this.configs.tls ? tlsOptions(this.configs.tls) : null;
    // With REDIS_URL: the connection up before on_start publishes or spawns, and before the first request is counted.
    const redis = sharedRedis();
    if (redis && !(await redis.ready(5_000))) logEvent("error", "Redis does not answer at REDIS_URL yet; starting anyway (events go over HTTP and rate limits are not counted until it does)");
    await runHooks(this.startHooks);
    if (this.ws || this.streams.size) await relayBroadcasts();
    await startEvents(); // with Redis: this block's consumer groups (after on_start, which handlers may rely on)
    await startJobs(); // with Redis: this block's worker on its durable queue
    for (const s of this.schedules) startSchedule(s.cron, s.name, s.fn);
    // Body limits are counted where bodies are read (pipeline.ts, uploads/): max_body, else 1 MB for JSON.
    this.shared.bodyLimit = this.bodyLimit ?? DEFAULT_BODY_LIMIT;
    this.shared.uploads = this.configs.uploads || this.registered.some((r) => r.endpoint.form) ? uploadConfig(this.configs.uploads) : null;
    const inner = this.fetchFunction();
    const ws = this.ws;
    const streams = this.streams;
    const client = this.client;
    const forwards = this.forwards;
    const service = this.shared.serviceField;
    // A route of the program's own at a client's path wins over the page.
    const owned = new Set(this.registered.filter((r) => r.method === "GET").map((r) => r.path));
    const needsPath = client !== null || ws !== null || streams.size > 0 || forwards.size > 0;
    const withRealtime: ServeOptions["fetch"] = (raw, server) => {
      const path = needsPath ? pathOf(raw.url) : "";
      if (client && (raw.method === "GET" || raw.method === "HEAD")) {
        const page = owned.has(path) ? null : client.page(path);
        if (page !== null) return new Response(raw.method === "HEAD" ? null : page, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" } });
        if (client.mounts.includes(`${path}/`) && !owned.has(path)) return new Response(null, { status: 308, headers: { location: `${path}/` } });
        if (path.endsWith(".js")) {
          const file = client.file(path);
          if (file) return file;
        }
      }
      if (forwards.size && raw.method === "POST" && path.startsWith("/rpc/")) {
        const to = forwards.get(path.slice(5)); // function names are identifiers: nothing to decode
        if (to) return forwardRpc(raw, path.slice(5), to, service);
      }
      if (ws || streams.size) {
        if (ws && path === ws.path && raw.headers.get("upgrade")?.toLowerCase() === "websocket") {
          if ((server as { upgrade(r: Request): boolean }).upgrade(raw)) return undefined as unknown as Response;
        }
        const stream = raw.method === "GET" ? streams.get(path) : undefined;
        if (stream) return sseResponse(stream);
      }
      return inner(raw, server);
    };
    return {
      port,
      hostname: resolveHost(),
      // Bun's own limit (128 MB by default) would answer an over-long Content-Length itself and close at once, and the
      // close resets the answer away (uploads/body.ts): the app's limits are counted as bodies are read instead.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      // TOVA_REUSE_PORT=1: several instances share one port and the kernel spreads connections (SO_REUSEPORT, Linux).
      // Opt-in: without it a second server on a taken port fails at start instead of silently sharing it.
      ...(process.env["TOVA_REUSE_PORT"] === "1" ? { reusePort: true } : {}),
      fetch: compose(this.layers(), withRealtime),
      ...(ws ? { websocket: websocketOptions(ws.handlers) } : {}),
      ...(tls ? { tls } : {}),
      // Only reached if the runtime itself failed: every handler error is answered by the pipeline.
      error(err: Error): Response {
        logEvent("error", "unhandled server error", { message: err.message, stack: err.stack });
        return new Response('{"error":"Internal Server Error"}', { status: 500, headers: { "content-type": "application/json" } });
      },
    };
  }

  /**
   * Starts the server (`Bun.serve`) and stops it on SIGTERM/SIGINT. Generated
   * code calls this rather than `Bun.serve` itself, so a program may name a
   * binding `Bun` (decisions.md, "Names").
   */
  async listen(): Promise<void> {
    this.stopOnSignals(Bun.serve(await this.start()));
  }

  stopOnSignals(server: { stop(closeActive?: boolean): unknown }): void {
    const port = (server as { port?: unknown }).port;
    logEvent("info", "listening", { port, ...(this.options.name ? { service: this.options.name } : {}) });
    flushLogs();
    // Stop taking jobs and let running ones finish (bounded) before on_stop (monitoring-service.md).
    const drain = async () => {
      stopSchedules();
      await Promise.all([stopEvents(10_000), drainJobs(10_000)]);
    };
    installSignalHandlers(server, () => this.shared.inflight, [drain, ...this.stopHooks], this.options.name);
  }

  private add(method: string, path: string, endpoint: Endpoint): void {
    if (this.registered.some((r) => r.method === method && r.path === path)) {
      throw new Error(`${method} ${path} is registered twice`);
    }
    this.registered.push({ method, path, endpoint });
  }

  /**
   * The fetch function: paths without parameters are looked up in a Map
   * (most routes, and the cheapest possible match); Hono routes the rest
   * (`:params`, HEAD, 404s).
   */
  private fetchFunction(): ServeOptions["fetch"] {
    const shared = this.shared;
    const hono = new Hono();
    // path -> method -> endpoint, with its request log line's constant part (log.ts)
    const exact = new Map<string, Map<string, { ep: Endpoint; logHead: string }>>();
    const mount = (method: string, path: string, ep: Endpoint) => {
      hono.on(method, path, (c) => {
        const raw = c.req.raw;
        const url = raw.url;
        return new Exchange(shared, ep, raw, c.env, url, c.req.path, c.req).run();
      });
      if (!/[:*{}?%]/.test(path)) {
        const byMethod = exact.get(path) ?? new Map<string, { ep: Endpoint; logHead: string }>();
        byMethod.set(method, { ep, logHead: requestLineHead(shared.serviceField, method, path) });
        exact.set(path, byMethod);
      }
    };
    for (const r of this.registered) mount(r.method, r.path, r.endpoint);
    // `GET /healthz`, and the deploy blocks' `health:` paths (deploy-blocks.md), unless the program answers them.
    for (const healthPath of this.healthPaths()) {
      if (!this.registered.some((r) => r.method === "GET" && r.path === healthPath)) {
        mount("GET", healthPath, { kind: "health", handler: () => undefined, bind: null, readsBody: false, skipsMiddleware: true });
      }
    }
    const notFound: Endpoint = { kind: "not-found", handler: () => undefined, bind: null, readsBody: false, skipsMiddleware: false };
    // A path that other methods have answers 405 with `Allow` (security.md, "Requests"); looked up only on a miss.
    const methods = [...new Set([...this.registered.map((r) => r.method), "GET"])];
    const allowed = (path: string): string => {
      const found = methods.filter((m) => hono.router.match(m, path)[0].length > 0);
      if (found.includes("GET")) found.splice(found.indexOf("GET") + 1, 0, "HEAD");
      return found.join(", ");
    };
    hono.notFound((c) => {
      const raw = c.req.raw;
      const allow = allowed(c.req.path);
      const ep: Endpoint = allow === "" ? notFound : { ...notFound, kind: "not-allowed", allow };
      return new Exchange(shared, ep, raw, c.env, raw.url, c.req.path, null).run();
    });
    return (raw: Request, server: unknown) => {
      const url = raw.url;
      // Bun answers a request head over 16 KB itself (431, empty); a URL up to that reaches here: 414 past 8 KB.
      if (url.length > MAX_URL) return Response.json({ error: `the URL is longer than ${MAX_URL} bytes` }, { status: 414 });
      const path = pathOf(url);
      const found = exact.get(path)?.get(raw.method);
      return found ? new Exchange(shared, found.ep, raw, server, url, path, null, found.logHead).run() : hono.fetch(raw, server);
    };
  }
}

/**
 * The application of one server block.
 *
 * @example
 * const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
 * app.route("GET", "/api/metrics", get_metrics, [{ name: "limit", schema: t.option(t.int) }]);
 * await app.listen();
 */
export function createApp(options: AppOptions): TovaApp {
  return new App(options);
}
