// The answers the security layers give themselves, and headers added to an
// answer on its way out.

/** A JSON error answer: `{"error": message}` with `status` and `headers`. */
export function refuse(status: number, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: headers ? { "content-type": "application/json", ...headers } : { "content-type": "application/json" },
  });
}

/**
 * Sets headers on a response. A Response whose headers are immutable (one a
 * handler got from `fetch` and returned) is copied first. `undefined` is what
 * the router answers for a WebSocket upgrade: nothing to add to.
 */
export function setHeaders(res: Response, names: readonly string[], values: readonly string[]): Response {
  if (!res) return res;
  try {
    for (let i = 0; i < names.length; i++) res.headers.set(names[i]!, values[i]!);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (let i = 0; i < names.length; i++) copy.headers.set(names[i]!, values[i]!);
    return copy;
  }
}
