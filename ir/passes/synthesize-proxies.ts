import type { Diagnostic } from "../../diagnostics/types.js";
import type { NameInfo, Proxy } from "../checked.js";
import type { PortedApp } from "../types.js";
import { upperSnake } from "./assign-ports.js";
import { hasRpc } from "../rpc.js";

/**
 * One proxy per `discover` (named-blocks.md, "How Discover Works"): where the
 * peer is (its block and port when it is part of this application), how its
 * URL is found at run time (decisions.md, "Peer URLs": `URL_X`, then
 * `PORT_X`, then the written URL, then the assigned port), its breaker
 * settings, and the signatures of the functions it serves over RPC.
 */
export function synthesizeProxies(app: PortedApp, _names: NameInfo): { proxies: Proxy[]; diagnostics: Diagnostic[] } {
  const proxies: Proxy[] = [];
  for (const server of app.servers) {
    for (const peer of server.peers) {
      const target = app.servers.find((s) => s.name === peer.name) ?? null;
      proxies.push({
        from: server.name,
        peer: peer.name,
        target: target ? target.name : null,
        targetPort: target ? target.port : null,
        urlEnv: `URL_${upperSnake(peer.name)}`,
        portEnv: `PORT_${upperSnake(peer.name)}`,
        url: peer.url,
        health: peer.health,
        breaker: peer.breaker,
        functions: target
          ? target.fns.filter(hasRpc).map((f) => ({ name: f.name, params: f.params, returnType: f.returnType }))
          : null,
        span: peer.span,
      });
    }
  }
  return { proxies, diagnostics: [] };
}
