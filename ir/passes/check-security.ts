import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import { lowerSecurity, corsOf, settingsOf } from "../lower-security.js";
import { uncheckableType, UPLOAD_TYPES } from "../settings.js";
import type { App, Expr } from "../types.js";

/**
 * security.md: "a statement that the program declares is enforced, or the
 * program does not compile". The `security` block becomes its checked rules
 * (ir/lower-security.ts), and every server's security statements (`cors`,
 * `rate_limit`, `tls`, `sessions`, `static`, `uploads`, `cache`) are checked
 * against the settings the runtime enforces. Runs right after merging, so the
 * later passes resolve and type the rules' expressions.
 */
export function checkSecurity(app: App): { app: App; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let security = app.security;
  if (security) {
    const lowered = lowerSecurity(security);
    security = { ...security, rules: lowered.rules };
    diagnostics.push(...lowered.diagnostics);
  }
  for (const server of app.servers) {
    const seen = new Map<string, (typeof server.configs)[number]>();
    for (const c of server.configs) {
      const first = seen.get(c.name);
      if (first) {
        diagnostics.push(diagnostic("E0103", c.span, `\`${c.name}\` is declared twice in this server block`, { labels: [{ span: first.span, message: "first declared here" }] }));
        continue;
      }
      seen.set(c.name, c);
      if (c.name === "cors") corsOf(c.entries, c.span, c.span, "cors", diagnostics);
      else settingsOf(c.entries, c.span, c.span, c.name, c.name, diagnostics);
      if (c.name === "static") checkStaticDir(c.values["dir"]?.value ?? null, diagnostics);
      if (c.name === "uploads") checkUploadTypes(c.values["allowed_types"]?.value ?? null, diagnostics);
    }
  }
  return { app: { ...app, security }, diagnostics };
}

/**
 * `static { dir }` is copied into the build beside the server modules (cli/build.ts), so it must be a plain
 * relative folder written in the program: not `.`, not outside it, not a folder the build owns.
 */
function checkStaticDir(dir: Expr | null, diagnostics: Diagnostic[]): void {
  if (!dir) return;
  if (dir.kind !== "Str") {
    diagnostics.push(diagnostic("E0506", dir.span, "static.dir expects a folder written as text, such as \"public\"", { hint: "the folder is copied into the build, so it must be known when building" }));
    return;
  }
  const parts = dir.value.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
  const bad = dir.value.startsWith("/") || /^[A-Za-z]:/.test(dir.value) || parts.length === 0 || parts.includes("..") || ["runtime", "data", "client"].includes(parts[0]!) || parts.some((p) => p.startsWith("."));
  if (bad) {
    diagnostics.push(
      diagnostic("E0506", dir.span, `static.dir "${dir.value}" must be a folder inside the program's directory`, { hint: 'use a relative folder such as "public" (not ".", "..", an absolute path, a dot-folder, "runtime", "data" or "client")' }),
    );
  }
}

/** `uploads { allowed_types }` is checked against each file's content, so every type must be one the runtime recognises. */
function checkUploadTypes(types: Expr | null, diagnostics: Diagnostic[]): void {
  if (!types || types.kind !== "Array") return;
  for (const t of types.elements) {
    if (t.kind !== "Str" || !uncheckableType(t.value)) continue;
    diagnostics.push(
      diagnostic("E0507", t.span, `uploads.allowed_types: "${t.value}" cannot be checked against a file's content, so it cannot be enforced`, {
        hint: `use one of ${UPLOAD_TYPES.map((x) => `"${x}"`).join(", ")}, or a family such as "image/*"`,
      }),
    );
  }
}
