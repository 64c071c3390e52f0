// The security block's free functions (security.md, "auth", "role"):
// `sign_jwt`, `has_role`, `can`. Each forwards to runtime/security/auth.ts;
// this file is their public surface and declarations.
import { signToken, userCan, userHasRole } from "../security/auth.js";
import type { TovaRequest } from "./types.js";

/**
 * A token for `claims`, signed (HS256) with the `auth jwt` secret; `exp` is
 * now + `expires` unless the claims carry their own. Synchronous: a String.
 *
 * @example
 * token = sign_jwt({ sub: user.id, role: "Admin" })
 */
export function sign_jwt(claims: Record<string, unknown>): string {
  return signToken(claims);
}

/**
 * True when the request's user has the role: its `role` claim names it, or
 * its `roles` claim contains it.
 *
 * @example
 * if has_role(req, "Admin") { ... }
 */
export function has_role(req: TovaRequest, role: string): boolean {
  return userHasRole(req.user, role);
}

/**
 * True when one of the user's roles is given the permission by a `role Name
 * { can: [...] }` of the security block.
 *
 * @example
 * if can(req, "view_reports") { ... }
 */
export function can(req: TovaRequest, permission: string): boolean {
  return userCan(req.user, permission);
}
