import { randomBytes } from "node:crypto";

/**
 * The TOVA_APP_KEY for the server processes `tova dev` and `tova run` start
 * (security.md, "Between the application's own servers"): the servers of one
 * app sign the requests they send each other with it, so they must all have
 * the same one. The caller's own TOVA_APP_KEY is kept; otherwise a new random
 * key (32 bytes, 64 hex digits) is made for this session.
 */
export function sessionAppKey(env: NodeJS.ProcessEnv = process.env): string {
  const given = env["TOVA_APP_KEY"];
  return given !== undefined && given !== "" ? given : randomBytes(32).toString("hex");
}
