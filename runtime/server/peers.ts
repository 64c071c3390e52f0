// `discover`: a proxy whose methods call the peer's RPC endpoints
// (named-blocks.md, "How Discover Works"). The base URL follows decisions.md
// "Peer URLs": URL_X, then http://localhost:$PORT_X, then the written URL,
// then the peer's compiled port. The request id of the request being served
// travels in X-Request-Id. (The circuit breaker and retries of the
// multi-server runtime wrap these calls.)
import { AsyncLocalStorage } from "node:async_hooks";

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

export function peerBaseUrl(options: PeerOptions): string {
  const env = process.env;
  if (env[options.urlEnv]) return env[options.urlEnv]!.replace(/\/$/, "");
  if (env[options.portEnv]) return `http://localhost:${env[options.portEnv]}`;
  if (options.url) return options.url.replace(/\/$/, "");
  return `http://localhost:${options.port ?? 3000}`;
}

/** A typed proxy for peer `name`: `peer.f(...args)` POSTs `/rpc/f` and resolves to the result. */
export function peer<T>(name: string, options: PeerOptions): T {
  propagateRequestIds();
  return new Proxy({} as Record<string, unknown>, {
    get(_target, fn) {
      if (typeof fn !== "string" || fn === "then") return undefined;
      return async (...args: unknown[]) => {
        const id = currentRequestId();
        const res = await fetch(`${peerBaseUrl(options)}/rpc/${fn}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(id ? { "x-request-id": id } : {}) },
          body: JSON.stringify({ __args: args }),
          signal: AbortSignal.timeout(options.breaker.timeoutMs),
        });
        const body = (await res.json().catch(() => ({}))) as { result?: unknown; error?: unknown };
        if (!res.ok) throw new Error(`peer ${name}.${fn} answered ${res.status}: ${JSON.stringify(body.error ?? body)}`);
        return body.result;
      };
    },
  }) as T;
}
