// `server.f()` from a client reaches the server block that defines `f`
// through the server that served the page (client.md), so the browser talks
// to one origin: that server forwards `POST /rpc/f` to the owner, at the
// address peers use (decisions.md "Peer URLs"). The request goes on as the
// browser sent it, unsigned: the owner's own security (auth, protect, rate
// limits) applies to it as to any client's request, and the request id
// travels with it.
import { logRequest } from "./log.js";
import { peerBaseUrl, type PeerAddress } from "./peers.js";
import { requestIdOf } from "./request.js";

/** Headers of the browser's request that the owner needs to answer it as it would answer the browser. */
const FORWARDED = ["content-type", "content-length", "authorization", "cookie", "accept", "accept-language", "user-agent"];
/** Headers of the owner's answer that the browser needs. */
const ANSWERED = ["content-type", "cache-control", "etag", "vary", "www-authenticate", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"];

export interface RpcForward {
  /** The server block that defines the function. */
  peer: string;
  options: PeerAddress;
}

/**
 * Forwards one RPC call to its owner and answers what the owner answered; an
 * owner that does not answer is a 503 naming it.
 */
export async function forwardRpc(raw: Request, fn: string, to: RpcForward, service: string): Promise<Response> {
  const started = performance.now();
  const id = requestIdOf(raw);
  const headers = new Headers({ "x-request-id": id });
  for (const name of FORWARDED) {
    const v = raw.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  let answer: Response;
  try {
    const res = await fetch(`${peerBaseUrl(to.options)}/rpc/${encodeURIComponent(fn)}`, {
      method: "POST",
      headers,
      body: raw.body,
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
      // @ts-expect-error Bun and Node stream a request body only with duplex "half"
      duplex: "half",
    });
    const out = new Headers({ "x-request-id": id });
    for (const name of ANSWERED) {
      const v = res.headers.get(name);
      if (v !== null) out.set(name, v);
    }
    for (const cookie of res.headers.getSetCookie()) out.append("set-cookie", cookie);
    answer = new Response(res.body, { status: res.status, headers: out });
  } catch {
    answer = Response.json({ error: `the ${to.peer} server is unavailable`, peer: to.peer, request_id: id }, { status: 503, headers: { "x-request-id": id } });
  }
  logRequest(service, "POST", `/rpc/${fn}`, answer.status, performance.now() - started, id);
  return answer;
}
