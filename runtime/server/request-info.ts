// What the layers learn about a request before its handler runs: the verified
// user (security.md, "auth"), the session, the client's address (after
// `trust_proxy`). Kept beside the fetch Request, so the `req` object of a
// handler reads it without any layer knowing about `req`.
export interface RequestInfo {
  /** The claims of a verified token (`auth jwt`) or `{ key }` (`auth api_key`). */
  user?: unknown;
  /** `req.session` (security.md, "sessions"). */
  session?: unknown;
  /** The client address, when a layer worked it out (`trust_proxy`); otherwise the socket's. */
  ip?: string;
}

const infos = new WeakMap<Request, RequestInfo>();

/** The info of a request, created on first use. */
export function infoOf(raw: Request): RequestInfo {
  let info = infos.get(raw);
  if (!info) infos.set(raw, (info = {}));
  return info;
}

/** The info of a request if a layer set any (the fast path pays one lookup). */
export function peekInfo(raw: Request): RequestInfo | undefined {
  return infos.get(raw);
}
