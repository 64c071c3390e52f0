// `discover`: a proxy whose methods call the peer's RPC endpoints
// (named-blocks.md, "How Discover Works"). The base URL follows decisions.md
// "Peer URLs": URL_X, then http://localhost:$PORT_X, then the written URL,
// then the peer's compiled port. The request id of the request being served
// travels in X-Request-Id. (The circuit breaker and retries of the
// multi-server runtime wrap these calls.) Each call is signed with the
// application's key (internal.ts), so the peer can tell the app's own
// servers from its clients.
import { AsyncLocalStorage } from "node:async_hooks";
import { Err, Ok } from "../stdlib/option.js";
import { CircuitBreaker } from "./breaker.js";
import { signatureHeaders } from "./internal.js";
import { pathOf } from "./request.js";

const requestIds = new AsyncLocalStorage<string>();
let propagating = false;

/** Whether this process calls peers or sends events, so requests record their id for them. */
export function propagatesRequestIds(): boolean {
  return propagating;
}

/** Called when a peer proxy or remote event delivery exists in this process. */
export function propagateRequestIds(): void {
  propagating = true;
}

/** Runs `fn` with `id` as the current request id (the pipeline does this per request). */
export function withRequestId<T>(id: string, fn: () => T): T {
  return requestIds.run(id, fn);
}

export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

export type { DiscoverOptions as PeerOptions } from "./free-functions.js";
import type { DiscoverOptions as PeerOptions } from "./free-functions.js";

/** Where a server block answers: the address part of its options. */
export type PeerAddress = Pick<PeerOptions, "url" | "urlEnv" | "portEnv" | "port">;

/**
 * The base URL of each instance of a block (scale-out.md): `URL_X` (one
 * address, for a block behind its own proxy), else `PORTS_X` (every
 * instance's port, comma-separated), else the one address of `peerBaseUrl`.
 */
export function instanceUrls(options: PeerAddress): string[] {
  const env = process.env;
  if (env[options.urlEnv]) return [peerBaseUrl(options)];
  const ports = env[options.portEnv.replace(/^PORT/, "PORTS")];
  if (ports) {
    const list = ports.split(",").map((p) => p.trim()).filter((p) => /^\d+$/.test(p));
    if (list.length) return list.map((p) => `http://localhost:${p}`);
  }
  return [peerBaseUrl(options)];
}

/** Whether a fetch failed because nothing listens there (the next instance may). */
export function refused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ConnectionRefused" || code === "ECONNREFUSED" || (err instanceof Error && /ECONNREFUSED|Unable to connect/.test(err.message));
}

/** Round robin over a block's instances: each call starts at the next one and falls through the rest. */
export class Instances {
  private turn = 0;
  constructor(private readonly address: PeerAddress) {}
  /** The instances' URLs, starting at this call's turn (read from the environment each time: tests and restarts change it). */
  order(): string[] {
    const urls = instanceUrls(this.address);
    const start = this.turn++ % urls.length;
    return [...urls.slice(start), ...urls.slice(0, start)];
  }
}

export function peerBaseUrl(options: PeerAddress): string {
  const env = process.env;
  if (env[options.urlEnv]) return env[options.urlEnv]!.replace(/\/$/, "");
  if (env[options.portEnv]) return `http://localhost:${env[options.portEnv]}`;
  if (options.url) return options.url.replace(/\/$/, "");
  return `http://localhost:${options.port ?? 3000}`;
}

/** A peer call that did not answer: the caller may catch it; an uncaught one answers 503 naming the peer. */
export class PeerUnavailable extends Error {
  override readonly name = "PeerUnavailable";
  readonly status = 503;
  constructor(
    readonly peer: string,
    message: string,
  ) {
    super(message);
  }
}

const RETRY_DELAYS_MS = [100, 200];

/**
 * `health: "/health"` in a discover: the path is polled (every
 * TOVA_HEALTH_INTERVAL_MS, 5 s by default) and feeds the breaker: a failed
 * poll counts like a failed call; a good one counts as a success unless the
 * breaker is open (then the reset timeout still decides when to try again).
 */
function pollHealth(name: string, options: PeerOptions, breaker: CircuitBreaker): void {
  const interval = Number(process.env["TOVA_HEALTH_INTERVAL_MS"] ?? 5_000);
  const timer = setInterval(async () => {
    if (breaker.state === "OPEN") return;
    try {
      const res = await fetch(`${peerBaseUrl(options)}${options.health}`, { signal: AbortSignal.timeout(options.breaker.timeoutMs) });
      await res.arrayBuffer();
      if (res.status >= 500) throw new Error(`answered ${res.status}`);
      if (breaker.state === "CLOSED") breaker.success();
    } catch {
      if (breaker.state === "CLOSED") breaker.failure();
    }
  }, interval);
  (timer as { unref?: () => void }).unref?.();
  void name;
}

/**
 * One attempt of a call: the instances in this call's order, moving to the
 * next when one refuses the connection (that is not yet a failure of the
 * block); the first that answers decides.
 */
async function callInstances(instances: Instances, path: string, payload: string, id: string | undefined, options: PeerOptions, breaker: CircuitBreaker, name: string, fn: string): Promise<unknown> {
  let last: unknown;
  for (const base of instances.order()) {
    let res: Response;
    try {
      const url = `${base}${path}`;
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(id ? { "x-request-id": id } : {}), ...signatureHeaders("POST", pathOf(url), payload) },
        body: payload,
        signal: AbortSignal.timeout(options.breaker.timeoutMs),
      });
    } catch (err) {
      last = err;
      if (refused(err)) continue;
      throw err;
    }
    const side = res.headers.get("x-tova-result");
    const body = (await res.json().catch(() => (side ? null : {}))) as { result?: unknown; error?: unknown } | null;
    if (body === null) throw new Error(`peer ${name}.${fn} answered a Result that is not JSON`);
    // A function that returns a Result: its Ok or Err, whatever the status its Err chose, is its answer.
    if (side === "ok" || side === "err") {
      breaker.success();
      return side === "ok" ? Ok(body.result ?? null) : Err(body.error ?? null);
    }
    if (res.status >= 500) throw new Error(`answered ${res.status}`);
    breaker.success();
    if (!res.ok) throw Object.assign(new Error(`peer ${name}.${fn} refused the call: ${JSON.stringify(body.error ?? body)}`), { status: res.status });
    return body.result;
  }
  throw last;
}

/**
 * A typed proxy for peer `name`: `peer.f(...args)` POSTs `/rpc/f` and
 * resolves to the result. Each call has a timeout, is retried up to twice
 * (100 ms, 200 ms) before the failure counts, and goes through the peer's
 * circuit breaker (breaker.ts). A 4xx answer is the peer's verdict on the
 * call, not a failure of the peer.
 */
export function peer<T>(name: string, options: PeerOptions): T {
  propagateRequestIds();
  const breaker = new CircuitBreaker(options.breaker);
  const instances = new Instances(options);
  if (options.health) pollHealth(name, options, breaker);
  return new Proxy({} as Record<string, unknown>, {
    get(_target, fn) {
      if (typeof fn !== "string" || fn === "then") return undefined;
      return async (...args: unknown[]) => {
        if (!breaker.tryAcquire()) throw new PeerUnavailable(name, `peer ${name} is unavailable (circuit open)`);
        const id = currentRequestId();
        let last: unknown;
        for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
          try {
            return await callInstances(instances, `/rpc/${fn}`, JSON.stringify({ __args: args }), id, options, breaker, name, fn);
          } catch (err) {
            if ((err as { status?: number }).status !== undefined && (err as { status: number }).status < 500) throw err;
            last = err;
          }
        }
        breaker.failure();
        throw new PeerUnavailable(name, `peer ${name} did not answer ${fn}: ${last instanceof Error ? last.message : String(last)}`);
      };
    },
  }) as T;
}
