import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import { lowerSecurity, corsOf, settingsOf } from "../lower-security.js";
import type { App } from "../types.js";

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
    }
  }
  return { app: { ...app, security }, diagnostics };
}
