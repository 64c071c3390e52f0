// Which server functions are reached how (decisions.md, "Routes and RPC",
// "`req` and `res`"). One place decides, so the endpoints the TypeScript
// backend registers, the calls the checker accepts from clients and peers,
// the `protect` side doors, the IR's `rpc` list and the deploy plan agree.
import type { Fn, TypeExpr } from "./types.js";

type ParamLike = { readonly name: string; readonly type: TypeExpr | null };

/**
 * How many leading parameters are the request and response objects: an
 * untyped `req` first, then an untyped `res`. A typed parameter is an ordinary
 * one, whatever its name. The others bind from the request by name.
 */
export function requestObjects(params: readonly ParamLike[]): 0 | 1 | 2 {
  if (params[0]?.name !== "req" || params[0].type !== null) return 0;
  return params[1]?.name === "res" && params[1].type === null ? 2 : 1;
}

/** A handler declared `(req)` or `(req, res)`: it gets the request and response and nothing else. */
export function isReqRes(params: readonly ParamLike[]): boolean {
  const n = requestObjects(params);
  return n > 0 && params.length === n;
}

/** `File`, `[File]` or `Option<File>`. */
export function takesFile(t: TypeExpr | null): boolean {
  if (!t) return false;
  if (t.kind === "TName") return t.name === "File" || t.args.some(takesFile);
  return t.kind === "TArray" && takesFile(t.element);
}

/**
 * Why a plain `fn` of a server block has no `POST /rpc/<fn>` endpoint, or null
 * when it has one. A function that takes the request only makes sense behind
 * an HTTP route (over RPC there is no request of the caller to give it); one
 * that takes uploaded files is reached by its multipart route only.
 */
export function noRpcReason(fn: Pick<Fn, "params">): string | null {
  if (requestObjects(fn.params) > 0) return "it takes the request (`req`), which only its HTTP route can give it";
  if (fn.params.some((p) => takesFile(p.type))) return "it takes uploaded files, which only its multipart route receives";
  return null;
}

/** A plain `fn` served at `POST /rpc/<fn>`: what clients' `server.f()` and peers' `peer.f()` call. */
export function hasRpc(fn: Pick<Fn, "kind" | "params">): boolean {
  return fn.kind === "fn" && noRpcReason(fn) === null;
}
