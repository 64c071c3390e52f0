import type { CheckedApp, Infrastructure } from "../../ir/checked.js";
import { appSlug } from "../../ir/passes/infer-infrastructure.js";
import type { DeployTarget } from "../../ir/types.js";

/**
 * Where everything goes on the server (deploy-blocks.md, section 3), for one
 * deploy target: the app's name, its directories, and the ports and unit of
 * every server block and instance. Pure data; the renderers turn it into text.
 */
export const ROOT = "/opt/tova";

export interface ServerUnit {
  /** The server block (null for the default). */
  block: string | null;
  /** The systemd template: `tova-<app>@.service`, or `tova-<app>-<block>@.service`. */
  unit: string;
  /** The built entry file in the release: `<stem>.server[.<name>].js`. */
  entry: string;
  portEnv: string;
  ports: number[];
  /** Paths this block answers: `/rpc/<fn>` and its routes (Caddy sends them here). */
  paths: string[];
  /** Its WebSocket and SSE paths (proxied without buffering). */
  websockets: string[];
  sse: string[];
}

export interface DeployLayout {
  app: string;
  target: DeployTarget;
  infra: Infrastructure;
  appDir: string;
  servers: ServerUnit[];
  /** The block that takes every path no other block claims (the default, or the first). */
  front: ServerUnit | null;
}

/** Ports come from the server's registry at deploy time; rendering for review uses `basePort` onwards. */
export function layout(app: CheckedApp, target: DeployTarget, basePort = 3000): DeployLayout {
  const slug = appSlug(app.stem).replace(/_/g, "-");
  const infra = app.infrastructure.find((i) => i.target === target.name)!;
  let next = basePort;
  const servers: ServerUnit[] = app.servers.map((s) => {
    const ports = Array.from({ length: target.instances }, () => next++);
    const paths = [...s.fns.filter((f) => f.kind === "fn" && f.params[0]?.name !== "req").map((f) => `/rpc/${f.name}`), ...s.routes.map((r) => r.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "*"))];
    return {
      block: s.name,
      unit: s.name === null ? `tova-${slug}@.service` : `tova-${slug}-${s.name.replace(/[^A-Za-z0-9-]/g, "-")}@.service`,
      entry: `${app.stem}.server${s.name === null ? "" : `.${s.name}`}.js`,
      portEnv: s.portEnv,
      ports,
      paths: [...new Set(paths)],
      websockets: s.websockets.map((w) => w.path),
      sse: s.sse.map((x) => x.path),
    };
  });
  const front = servers.find((s) => s.block === null) ?? servers[0] ?? null;
  return { app: slug, target, infra, appDir: `${ROOT}/apps/${slug}`, servers, front };
}
