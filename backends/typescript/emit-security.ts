import type * as ast from "../../frontend/ast.js";
import type { PortedServer, SecurityRules } from "../../ir/types.js";
import { propertyName } from "./builders.js";
import type { ModuleContext } from "./context.js";
import type { BodyEmitter } from "./lower/index.js";
import { hasRpc } from "../../ir/rpc.js";

/**
 * `app.security({ ... })`: the application's `security { }` block, which
 * every server enforces for its own routes and RPC endpoints (security.md).
 * A function that a protected route calls is protected the same way at its
 * RPC endpoint, so there is no side door: its `/rpc/<fn>` rule comes first.
 */
export function emitSecurity(ctx: ModuleContext, body: BodyEmitter, app: string, server: PortedServer): void {
  const rules = ctx.app.security?.rules;
  if (!rules) return;
  const span = ctx.app.security!.span;
  const value = (e: ast.Expr) => body.topLevel(() => body.expr(e), span);
  const parts: string[] = [];
  if (rules.auth?.kind === "jwt") {
    parts.push(`auth: { kind: "jwt", secret: ${value(rules.auth.secret)}${rules.auth.expires ? `, expires: ${value(rules.auth.expires)}` : ""} }`);
  } else if (rules.auth?.kind === "api_key") {
    parts.push(`auth: { kind: "api_key", header: ${rules.auth.header ? value(rules.auth.header) : '"X-API-Key"'}, keys: ${value(rules.auth.keys)} }`);
  }
  if (rules.roles.length) parts.push(`roles: { ${rules.roles.map((r) => `${propertyName(r.name)}: ${JSON.stringify(r.can)}`).join(", ")} }`);
  const protect = [...sideDoors(server, rules), ...rules.protect.map((p) => ({ pattern: p.pattern, require: p.require }))];
  if (protect.length) parts.push(`protect: [${protect.map((p) => `{ pattern: ${JSON.stringify(p.pattern)}, require: ${JSON.stringify(p.require)} }`).join(", ")}]`);
  for (const [key, settings] of [["cors", rules.cors], ["rate_limit", rules.rateLimit]] as const) {
    if (settings) parts.push(`${key}: { ${[...settings].map(([k, v]) => `${propertyName(k)}: ${value(key === "cors" && k === "max_age" ? inSeconds(v.value) : v.value)}`).join(", ")} }`);
  }
  if (rules.trustProxy) parts.push(`trust_proxy: ${value(rules.trustProxy)}`);
  ctx.file.line(`${app}.security({ ${parts.join(", ")} })`, span);
}

/**
 * The RPC endpoints of functions that protected routes name as handlers, each
 * with the strictest rule of those routes: a role over `authenticated`, and
 * between roles the rule listed first.
 */
function sideDoors(server: PortedServer, rules: SecurityRules): { pattern: string; require: string }[] {
  const strictest = new Map<string, { require: string; rank: number }>();
  for (const route of server.routes) {
    const fn = route.handlerName ? server.fns.find((f) => f.name === route.handlerName && f.kind === "fn") : undefined;
    if (!fn || !hasRpc(fn)) continue; // no RPC endpoint, no side door
    rules.protect.forEach((rule, index) => {
      if (!routeMayMatch(route.path, rule.pattern)) return;
      const rank = (rule.require === "authenticated" ? 1_000_000 : 0) + index;
      const known = strictest.get(fn.name);
      if (!known || rank < known.rank) strictest.set(fn.name, { require: rule.require, rank });
    });
  }
  return [...strictest].map(([name, r]) => ({ pattern: `/rpc/${name}`, require: r.require }));
}

/**
 * Whether some request path of a route (`/api/users/:id`) matches a protect
 * pattern (`/api/*` or an exact path). A parameter stands for any non-empty
 * segment, so the answer errs on the side of protecting.
 */
export function routeMayMatch(route: string, pattern: string): boolean {
  const prefix = pattern.endsWith("*") ? pattern.slice(0, -1) : null;
  const tokens = route.split(/(:[A-Za-z_][A-Za-z0-9_]*)/).filter((t) => t !== "");
  // Can the route's text, token by token, produce `target` (exactly, or as a prefix when `open`)?
  const fits = (ti: number, target: string, at: number, open: boolean): boolean => {
    if (at === target.length) return open || ti === tokens.length;
    if (ti === tokens.length) return false;
    const t = tokens[ti]!;
    if (!t.startsWith(":")) {
      const n = Math.min(t.length, target.length - at);
      if (t.slice(0, n) !== target.slice(at, at + n)) return false;
      return n === t.length ? fits(ti + 1, target, at + n, open) : open;
    }
    // A parameter: one or more characters that are not "/".
    for (let end = at + 1; end <= target.length && target[end - 1] !== "/"; end++) {
      if (fits(ti + 1, target, end, open)) return true;
      if (end === target.length && open) return true;
    }
    return false;
  };
  return prefix !== null ? fits(0, prefix, 0, true) : fits(0, pattern, 0, false);
}

/**
 * `Access-Control-Max-Age` counts seconds: `max_age: 86400` is seconds as written (scaling.md), and a duration
 * (`1.day`, milliseconds once desugared) is turned into seconds.
 */
export function inSeconds(e: ast.Expr): ast.Expr {
  return e.kind === "Num" && /\.[a-z]/i.test(e.raw) ? { ...e, value: Math.round(e.value / 1000) } : e;
}

