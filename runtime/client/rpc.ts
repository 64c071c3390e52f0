// `server.f(...)` from a client block (decisions.md "Routes and RPC"): POST
// /rpc/f with `{"__args": [...]}`, resolving to the `result` of the answer.

/** An RPC call that the server answered with an error status. */
export class RpcError extends Error {
  constructor(
    readonly status: number,
    /** The `error` of the answer (a string, or the value of an `Err`). */
    readonly error: unknown,
    /** The parameter a 400 names, if any. */
    readonly param: string | undefined,
  ) {
    // client.md: "an error answer raises an error whose message is the server's `error` text".
    super(typeof error === "string" ? error : JSON.stringify(error));
  }
}

async function call(name: string, args: unknown[]): Promise<unknown> {
  const response = await fetch(`/rpc/${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ __args: args }),
  });
  const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: unknown; param?: string };
  if (!response.ok) throw new RpcError(response.status, body.error ?? response.statusText, body.param);
  return body.result ?? null;
}

/**
 * The `server` object of a client block: every property is a function that
 * calls the server function of that name.
 * @example const server = rpcClient<{ get_alerts(active_only: boolean | null): Promise<Alert[]> }>();
 */
export function rpcClient<T extends Record<string, (...args: any[]) => Promise<any>>>(): T {
  return new Proxy({} as T, {
    get(_target, name) {
      // Not a thenable: `await rpcClient()` must not call /rpc/then.
      if (typeof name !== "string" || name === "then") return undefined;
      return (...args: unknown[]) => call(name, args);
    },
  });
}
