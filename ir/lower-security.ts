import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic, suggestion } from "../diagnostics/catalog.js";
import { desugarExpr } from "./desugar.js";
import { checkSettings, SETTINGS, type Setting } from "./settings.js";
import type { SecurityBlock, SecurityRules } from "./types.js";

/**
 * The `security { }` block (security.md): what it declares, checked. Every
 * part is enforced by the runtime or is a compile error here: unknown parts
 * and settings with their key path, an `auth` form other than `jwt` and
 * `api_key`, a secret written in the program, a `protect` pattern that is not
 * a path, a role it requires that no `role` declares, `origins: ["*"]` with
 * `credentials: true`.
 */
const PARTS = ["auth", "role", "protect", "cors", "rate_limit", "trust_proxy"];

export function lowerSecurity(block: SecurityBlock): { rules: SecurityRules; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const rules: SecurityRules = { auth: null, roles: [], protect: [], cors: null, rateLimit: null, trustProxy: null };
  const seen = new Map<string, Span>();
  const once = (e: ast.ConfigEntry): boolean => {
    const first = seen.get(e.key);
    if (first) {
      diagnostics.push(diagnostic("E0103", e.keySpan, `security.${e.key} is declared twice`, { labels: [{ span: first, message: "first declared here" }] }));
      return false;
    }
    seen.set(e.key, e.keySpan);
    return true;
  };
  const requires: { name: string; span: Span }[] = [];
  for (const e of block.entries) {
    switch (e.key) {
      case "auth":
        if (once(e)) rules.auth = auth(e, diagnostics);
        break;
      case "role": {
        const role = roleOf(e, diagnostics);
        if (!role) break;
        const dup = rules.roles.find((r) => r.name === role.name);
        if (dup) diagnostics.push(diagnostic("E0103", role.nameSpan, `role \`${role.name}\` is declared twice`, { labels: [{ span: dup.nameSpan, message: "first declared here" }] }));
        else rules.roles.push(role);
        break;
      }
      case "protect": {
        const rule = protectOf(e, diagnostics, requires);
        if (rule) rules.protect.push(rule);
        break;
      }
      case "cors":
        if (once(e)) rules.cors = corsOf(e.entries, e.span, e.keySpan, "security.cors", diagnostics);
        break;
      case "rate_limit":
        if (once(e)) rules.rateLimit = settingsOf(e.entries, e.span, e.keySpan, "rate_limit", "security.rate_limit", diagnostics);
        break;
      case "trust_proxy":
        if (!once(e)) break;
        if (!e.value || e.entries) {
          diagnostics.push(diagnostic("E0506", e.keySpan, "security.trust_proxy expects `true` or a list of proxy addresses", { hint: 'write `trust_proxy true` or `trust_proxy ["10.0.0.2"]`' }));
          break;
        }
        rules.trustProxy = trustProxy(desugarExpr(e.value), diagnostics);
        break;
      default:
        diagnostics.push(
          diagnostic("E0501", e.keySpan, `security.${e.key}: unknown part of the security block`, suggestion(e.key, PARTS).hint ? suggestion(e.key, PARTS) : { hint: `its parts are ${PARTS.map((p) => `\`${p}\``).join(", ")}` }),
        );
    }
  }
  for (const r of requires) {
    if (r.name === "authenticated" || rules.roles.some((x) => x.name === r.name)) continue;
    const near = suggestion(r.name, ["authenticated", ...rules.roles.map((x) => x.name)]);
    diagnostics.push(diagnostic("E0503", r.span, `\`require: ${r.name}\` names a role the security block does not declare`, near.hint ? near : { hint: "declare it with `role " + r.name + " { can: [...] }`, or require `authenticated`" }));
  }
  return { rules, diagnostics };
}

function auth(e: ast.ConfigEntry, diagnostics: Diagnostic[]): SecurityRules["auth"] {
  if (e.label !== "jwt" && e.label !== "api_key") {
    diagnostics.push(
      diagnostic("E0507", e.labelSpan ?? e.keySpan, e.label ? `\`auth ${e.label}\` is not a form of authentication Tova enforces` : "`auth` needs its form: `auth jwt { ... }` or `auth api_key { ... }`", {
        hint: "use `auth jwt { secret: env(\"JWT_SECRET\") }` or `auth api_key { header: \"X-API-Key\", keys: ... }` (security.md)",
      }),
    );
    return null;
  }
  const s = checkSettings(e.entries ?? [], SETTINGS[`auth ${e.label}`]!, `security.auth ${e.label}`, e.span, diagnostics);
  if (e.label === "jwt") {
    const secret = s.get("secret");
    return secret ? { kind: "jwt", secret: secret.value, expires: s.get("expires")?.value ?? null, span: e.span } : null;
  }
  const keys = s.get("keys");
  return keys ? { kind: "api_key", header: s.get("header")?.value ?? null, keys: keys.value, span: e.span } : null;
}

/** `role Admin { can: [manage_users, view_reports] }`: permissions are names (written bare or as text). */
function roleOf(e: ast.ConfigEntry, diagnostics: Diagnostic[]): SecurityRules["roles"][number] | null {
  if (!e.label || !e.entries) {
    diagnostics.push(diagnostic("E0506", e.keySpan, "security.role expects a name and its permissions", { hint: "write `role Admin { can: [manage_users, view_reports] }`" }));
    return null;
  }
  const path = `security.role ${e.label}`;
  const can: string[] = [];
  for (const x of e.entries) {
    if (x.key !== "can") {
      diagnostics.push(diagnostic("E0501", x.keySpan, `${path}.${x.key}: unknown setting`, { hint: "a role has one setting, `can: [...]`" }));
      continue;
    }
    const list = x.value && x.value.kind === "Array" ? x.value.elements : null;
    const names = list?.map((el) => (el.kind === "Ident" ? el.name : el.kind === "Str" ? el.value : null));
    if (!names || names.some((n) => n === null)) {
      diagnostics.push(diagnostic("E0506", x.value?.span ?? x.keySpan, `${path}.can expects a list of permission names`, { hint: "write `can: [manage_users, view_reports]`" }));
      continue;
    }
    can.push(...(names as string[]));
  }
  return { name: e.label, can, span: e.span, nameSpan: e.labelSpan ?? e.keySpan };
}

/** `protect "/api/admin/*" { require: Admin }`. */
function protectOf(e: ast.ConfigEntry, diagnostics: Diagnostic[], requires: { name: string; span: Span }[]): SecurityRules["protect"][number] | null {
  const patternSpan = e.labelSpan ?? e.keySpan;
  const pattern = e.label;
  if (pattern === null || !e.entries) {
    diagnostics.push(diagnostic("E0506", e.keySpan, "security.protect expects a path pattern and what it requires", { hint: 'write `protect "/api/*" { require: authenticated }`' }));
    return null;
  }
  if (!/^\/[^*?#\s]*\*?$/.test(pattern)) {
    diagnostics.push(
      diagnostic("E0504", patternSpan, `\`${pattern}\` is not a path pattern`, { hint: 'a pattern is a path starting with "/", with at most one `*`, at its end: "/api/admin/*"' }),
    );
    return null;
  }
  let require: string | null = null;
  for (const x of e.entries) {
    if (x.key !== "require") {
      diagnostics.push(diagnostic("E0501", x.keySpan, `security.protect "${pattern}".${x.key}: unknown setting`, { hint: "a protect rule has one setting, `require: authenticated` or `require: RoleName`" }));
      continue;
    }
    const v = x.value;
    if (!v || v.kind !== "Ident") {
      diagnostics.push(diagnostic("E0506", v?.span ?? x.keySpan, `security.protect "${pattern}".require expects \`authenticated\` or a role's name`));
      continue;
    }
    require = v.name;
    requires.push({ name: v.name, span: v.span });
  }
  if (require === null) {
    diagnostics.push(diagnostic("E0507", e.span, `\`protect "${pattern}"\` needs \`require\``, { hint: "add `require: authenticated` or `require: RoleName`" }));
    return null;
  }
  return { pattern, require, span: e.span, patternSpan };
}

/** The settings of a part written `name { ... }`, checked against SETTINGS[name]. */
export function settingsOf(entries: ast.ConfigEntry[] | null, span: Span, keySpan: Span, name: string, path: string, diagnostics: Diagnostic[]): Map<string, { value: ast.Expr; span: Span }> | null {
  if (!entries) {
    diagnostics.push(diagnostic("E0506", keySpan, `${path} expects its settings in \`{ }\``));
    return null;
  }
  const s = checkSettings(entries, SETTINGS[name]!, path, span, diagnostics);
  return new Map([...s].map(([k, v]) => [k, { value: v.value, span: v.span }]));
}

/** `cors { ... }` here or as a server statement: also `origins: ["*"]` with `credentials: true` (security.md). */
export function corsOf(entries: ast.ConfigEntry[] | null, span: Span, keySpan: Span, path: string, diagnostics: Diagnostic[]): Map<string, { value: ast.Expr; span: Span }> | null {
  const s = settingsOf(entries, span, keySpan, "cors", path, diagnostics);
  if (s) checkCorsWildcard(s, path, diagnostics);
  return s;
}

export function checkCorsWildcard(s: ReadonlyMap<string, { value: ast.Expr }>, path: string, diagnostics: Diagnostic[]): void {
  const origins = s.get("origins")?.value;
  const credentials = s.get("credentials")?.value;
  const wildcard = origins && ((origins.kind === "Str" && origins.value === "*") || (origins.kind === "Array" && origins.elements.some((x) => x.kind === "Str" && x.value === "*")));
  if (wildcard && credentials?.kind === "Bool" && credentials.value) {
    diagnostics.push(
      diagnostic("E0505", origins!.span, `${path}: \`origins: ["*"]\` with \`credentials: true\` would let every site send requests with the user's cookies`, {
        hint: "list the origins that may call with credentials, e.g. `origins: [\"https://app.example.org\"]`",
      }),
    );
  }
}

function trustProxy(v: ast.Expr, diagnostics: Diagnostic[]): ast.Expr | null {
  if (v.kind === "Bool") return v.value ? v : null;
  if (v.kind === "Array" && v.elements.every((x) => x.kind === "Str")) return v;
  if (v.kind === "Array" || v.kind === "Num" || v.kind === "Str" || v.kind === "Object") {
    diagnostics.push(diagnostic("E0506", v.span, "security.trust_proxy expects `true` or a list of proxy addresses", { hint: 'write `trust_proxy true` or `trust_proxy ["10.0.0.2"]`' }));
    return null;
  }
  return v;
}

/** Every expression the rules hold (secrets, lists, `key` functions), for the passes that resolve and type them. */
export function securityExpressions(rules: SecurityRules): ast.Expr[] {
  const out: ast.Expr[] = [];
  if (rules.auth?.kind === "jwt") out.push(rules.auth.secret, ...(rules.auth.expires ? [rules.auth.expires] : []));
  if (rules.auth?.kind === "api_key") out.push(rules.auth.keys, ...(rules.auth.header ? [rules.auth.header] : []));
  for (const m of [rules.cors, rules.rateLimit]) if (m) for (const v of m.values()) out.push(v.value);
  if (rules.trustProxy) out.push(rules.trustProxy);
  return out;
}

export type { Setting };
