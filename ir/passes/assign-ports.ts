import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { App, PortedApp, PortedServer, ServerBlock } from "../types.js";
import { blockLabel } from "./merge-blocks.js";

export const DEFAULT_BASE_PORT = 3000;

/**
 * Ports (decisions.md, "Ports"):
 * 1. a block with an explicit port (`port N`, `env PORT: Int = N`) keeps it;
 * 2. the others are numbered in order of first appearance, the unnamed
 *    server first at the base port, named ones after it; with no unnamed
 *    server the first named block gets the base port; numbers claimed
 *    explicitly are skipped, so no two blocks share a port;
 * 3. `PORT` / `PORT_<NAME>` override at run time.
 */
export function assignPorts(app: App, basePort: number = DEFAULT_BASE_PORT): { app: PortedApp; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const explicit = new Map<number, ServerBlock>();
  for (const s of app.servers) {
    const p = explicitPort(s);
    if (p === null) continue;
    const other = explicit.get(p);
    if (other) {
      diagnostics.push(
        diagnostic("E0301", s.ports[0]!.span, `port ${p} is claimed by both ${blockLabel("server", other.name)} and ${blockLabel("server", s.name)}`, {
          labels: [{ span: other.ports[0]!.span, message: "claimed here first" }],
          hint: "give one of them another port, or remove the explicit port to have one assigned",
        }),
      );
    } else explicit.set(p, s);
  }
  const order = [...app.servers.filter((s) => s.name === null), ...app.servers.filter((s) => s.name !== null)];
  const assigned = new Map<ServerBlock, number>();
  let next = basePort;
  for (const s of order) {
    const p = explicitPort(s);
    if (p !== null) {
      assigned.set(s, p);
      continue;
    }
    while (explicit.has(next)) next++;
    if (next > 65535) {
      diagnostics.push(
        diagnostic("E0302", s.span, `no port is left for ${blockLabel("server", s.name)}: numbering from ${basePort} passes 65535`, {
          hint: "use a lower base port (`--port`) or give this block an explicit `port`",
        }),
      );
    }
    assigned.set(s, next++);
  }
  const envs = new Map<string, ServerBlock>();
  const servers: PortedServer[] = app.servers.map((s) => {
    const portEnv = portEnvName(s.name);
    const clash = envs.get(portEnv);
    if (clash) {
      diagnostics.push(
        diagnostic("E0310", s.span, `${blockLabel("server", s.name)} and ${blockLabel("server", clash.name)} both read their port from \`${portEnv}\``, {
          labels: [{ span: clash.span, message: "declared here" }],
          hint: "block names that differ only in punctuation or case map to the same variable; rename one",
        }),
      );
    } else envs.set(portEnv, s);
    return { ...s, port: assigned.get(s)!, portEnv };
  });
  return { app: { ...app, servers }, diagnostics };
}

function explicitPort(s: ServerBlock): number | null {
  return s.ports[0]?.value ?? null;
}

/** `PORT` for the unnamed server; `PORT_<NAME>`: upper case, non-alphanumerics to `_`. */
export function portEnvName(name: string | null): string {
  if (name === null) return "PORT";
  return `PORT_${upperSnake(name)}`;
}

export function upperSnake(name: string): string {
  // Per code point (`u`), so an emoji becomes one `_`, not one per UTF-16 half.
  return name.toUpperCase().replace(/[^A-Z0-9]/gu, "_");
}
