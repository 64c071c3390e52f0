import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic, suggestion } from "../diagnostics/catalog.js";
import { desugarExpr } from "./desugar.js";

/**
 * The settings of the security block's parts and of the server's security
 * statements (security.md): which keys each takes and what kind of value.
 * A statement the program declares is enforced or does not compile, so an
 * unknown key, a literal of the wrong kind or a missing required key is an
 * error with its key path (`cors.credentails: unknown setting`). Values that
 * are not literals are left to the type checker.
 */
export type SettingKind =
  | "string" // text
  | "strings" // a list of text (or one text)
  | "bool"
  | "duration" // milliseconds: `1.minute`, or a number
  | "size" // bytes: `5.megabytes`, or a number
  | "count" // a positive whole number
  | "function" // `fn(req) ...`
  | "secret" // read from the environment, never written in the program
  | "same_site" // "lax" | "strict" | "none", any case
  | "value"; // anything (checked by its use)

export interface SettingsSpec {
  keys: Record<string, SettingKind>;
  required?: string[];
}

/** The statements and the security block's parts, with their settings (security.md). */
export const SETTINGS: Record<string, SettingsSpec> = {
  cors: { keys: { origins: "strings", methods: "strings", headers: "strings", credentials: "bool", max_age: "duration" }, required: ["origins"] },
  rate_limit: { keys: { requests: "count", window: "duration", key: "function" }, required: ["requests", "window"] },
  tls: { keys: { cert: "string", key: "string" }, required: ["cert", "key"] },
  sessions: { keys: { secret: "secret", max_age: "duration", secure: "bool", http_only: "bool", same_site: "same_site" }, required: ["secret"] },
  static: { keys: { dir: "string", cache: "string" } },
  uploads: { keys: { max_size: "size", allowed_types: "strings", dir: "string" } },
  cache: { keys: { default: "string" }, required: ["default"] },
  "auth jwt": { keys: { secret: "secret", expires: "duration" }, required: ["secret"] },
  "auth api_key": { keys: { header: "string", keys: "value" }, required: ["keys"] },
};

/**
 * The file types `uploads { allowed_types }` may name: those the runtime can recognise from a file's content
 * (runtime/server/uploads/sniff.ts, UPLOAD_TYPES; spec-tests/security-checks.test.ts keeps the two lists equal),
 * and families of them (`image/*`).
 */
export const UPLOAD_TYPES = [
  "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip", "application/gzip", "text/plain", "text/csv",
  "application/json", "text/markdown", "text/html", "image/svg+xml", "application/xml",
];

/** A literal `allowed_types` entry the runtime cannot check against a file's content. */
export function uncheckableType(type: string): boolean {
  if (type.endsWith("/*")) return !UPLOAD_TYPES.some((t) => t.startsWith(type.slice(0, -1)));
  return !UPLOAD_TYPES.includes(type);
}

const EXPECTS: Record<SettingKind, string> = {
  string: "text",
  strings: "a list of text",
  bool: "true or false",
  duration: "a duration such as `1.minute`",
  size: "a size such as `5.megabytes`",
  count: "a positive whole number",
  function: "a function such as `fn(req) req.ip`",
  secret: "a value read from the environment, such as `env(\"SECRET\")`",
  same_site: '"lax", "strict" or "none"',
  value: "a value",
};

export interface Setting {
  key: string;
  /** The value, desugared (`1.minute` is 60000). */
  value: ast.Expr;
  span: Span;
  keySpan: Span;
}

/**
 * Checks the entries of one block (`path` is how messages name it, e.g. `cors`
 * or `security.auth jwt`); answers its settings by key.
 */
export function checkSettings(entries: readonly ast.ConfigEntry[], spec: SettingsSpec, path: string, blockSpan: Span, diagnostics: Diagnostic[]): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const e of entries) {
    const where = `${path}.${e.key}`;
    const kind = spec.keys[e.key];
    if (!kind) {
      diagnostics.push(diagnostic("E0501", e.keySpan, `${where}: unknown setting`, suggestion(e.key, Object.keys(spec.keys)).hint ? suggestion(e.key, Object.keys(spec.keys)) : { hint: `the settings of \`${path}\` are ${Object.keys(spec.keys).map((k) => `\`${k}\``).join(", ")}` }));
      continue;
    }
    if (out.has(e.key)) {
      diagnostics.push(diagnostic("E0103", e.keySpan, `${where} is set twice`, { labels: [{ span: out.get(e.key)!.keySpan, message: "first set here" }] }));
      continue;
    }
    if (e.entries || !e.value) {
      diagnostics.push(diagnostic("E0506", e.keySpan, `${where} expects ${EXPECTS[kind]}, written as \`${e.key}: ...\``));
      continue;
    }
    const value = desugarExpr(e.value);
    const problem = literalProblem(kind, value);
    if (problem) diagnostics.push(diagnostic(problem.code, value.span, `${where} expects ${EXPECTS[kind]}, but this is ${problem.found}`, problem.hint ? { hint: problem.hint } : {}));
    out.set(e.key, { key: e.key, value, span: e.span, keySpan: e.keySpan });
  }
  const missing = (spec.required ?? []).filter((k) => !out.has(k));
  if (missing.length) {
    diagnostics.push(
      diagnostic("E0507", blockSpan, `\`${path}\` needs ${missing.map((k) => `\`${k}\``).join(" and ")}`, { hint: `add ${missing.map((k) => `\`${k}: ...\``).join(", ")}` }),
    );
  }
  return out;
}

function literalProblem(kind: SettingKind, e: ast.Expr): { code: "E0502" | "E0506"; found: string; hint?: string } | null {
  const lit = literalKind(e);
  if (kind === "secret") {
    return lit === "text" ? { code: "E0502", found: "a secret written in the program", hint: "read it from the environment: `env(\"SECRET\")`, and set it with `tova env <env> set SECRET=...`" } : null;
  }
  if (lit === null) return null; // not a literal: the type checker judges it
  switch (kind) {
    case "string":
      return lit === "text" ? null : { code: "E0506", found: describe(lit) };
    case "strings":
      return lit === "list of text" || lit === "text" ? null : { code: "E0506", found: describe(lit) };
    case "bool":
      return lit === "bool" ? null : { code: "E0506", found: describe(lit) };
    case "duration":
    case "size":
      return lit === "number" && numberValue(e) >= 0 ? null : { code: "E0506", found: lit === "number" ? "a negative number" : describe(lit) };
    case "count":
      return lit === "number" && Number.isInteger(numberValue(e)) && numberValue(e) > 0 ? null : { code: "E0506", found: lit === "number" ? `\`${numberValue(e)}\`` : describe(lit) };
    case "function":
      return e.kind === "Lambda" ? null : { code: "E0506", found: describe(lit) };
    case "same_site":
      return lit === "text" && e.kind === "Str" && ["lax", "strict", "none"].includes(e.value.toLowerCase()) ? null : { code: "E0506", found: e.kind === "Str" ? `"${e.value}"` : describe(lit) };
    default:
      return null;
  }
}

type Literal = "text" | "number" | "bool" | "list of text" | "list" | "object";

function literalKind(e: ast.Expr): Literal | null {
  switch (e.kind) {
    case "Str":
    case "Template":
      return "text";
    case "Num":
      return "number";
    case "Unary":
      return e.op === "-" && e.operand.kind === "Num" ? "number" : null;
    case "Bool":
      return "bool";
    case "Array":
      return e.elements.every((x) => x.kind === "Str") ? "list of text" : "list";
    case "Object":
      return "object";
    default:
      return null;
  }
}

function numberValue(e: ast.Expr): number {
  if (e.kind === "Num") return e.value;
  if (e.kind === "Unary" && e.operand.kind === "Num") return -e.operand.value;
  return NaN;
}

function describe(lit: Literal): string {
  return lit === "number" ? "a number" : lit === "bool" ? "true or false" : lit === "text" ? "text" : lit === "object" ? "an object" : `a ${lit}`;
}
