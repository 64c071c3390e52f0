import type { CheckedApp, Infrastructure } from "../../ir/checked.js";
import { deploySlug } from "../../ir/passes/infer-infrastructure.js";
import type { DeployTarget } from "../../ir/types.js";
import { hasRpc } from "../../ir/rpc.js";

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

/** A database the web host runs itself (the single-host default), not on a database host or external. */
export function onThisHost(db: { host?: string; external?: true } | null): boolean {
  return db !== null && db.host === undefined && db.external === undefined;
}

/** Where a shared database lives, for messages: ` on root@db1` (a database host), ` (external)`, or "" (on the web host). */
export function elsewhere(db: { host?: string; external?: true }): string {
  return db.host !== undefined ? ` on ${db.host}` : db.external ? " (external)" : "";
}

/** The unit of one instance of a template: `tova-<app>@.service` on 3000 is `tova-<app>@3000.service`. */
export function instanceUnit(template: string, port: number): string {
  return template.replace("@.service", `@${port}.service`);
}

/** Every instance of every server block, in block order. */
export function instances(l: DeployLayout): { port: number; unit: string }[] {
  return l.servers.flatMap((s) => s.ports.map((port) => ({ port, unit: instanceUnit(s.unit, port) })));
}

/** How many ports the target needs: one per server block and instance. */
export function portCount(app: CheckedApp, target: DeployTarget): number {
  return app.servers.length * target.instances;
}

/** The app's name on the server: `myapp` for prod, `myapp-staging` for staging (see `deploySlug`). */
export function appName(app: CheckedApp, target: DeployTarget): string {
  return deploySlug(app.stem, target.name).replace(/_/g, "-");
}

/**
 * Ports come from the server's registry at deploy time (`ports`, in block
 * order, one per instance); rendering for review uses 3000 onwards.
 */
export function layout(app: CheckedApp, target: DeployTarget, allPorts: readonly number[] = Array.from({ length: portCount(app, target) }, (_, i) => 3000 + i)): DeployLayout {
  if (allPorts.length !== portCount(app, target)) throw new Error(`layout: ${portCount(app, target)} ports needed, ${allPorts.length} given`);
  const slug = appName(app, target);
  const infra = app.infrastructure.find((i) => i.target === target.name)!;
  let next = 0;
  const servers: ServerUnit[] = app.servers.map((s) => {
    const ports = Array.from({ length: target.instances }, () => allPorts[next++]!);
    const paths = [...s.fns.filter(hasRpc).map((f) => `/rpc/${f.name}`), ...s.routes.map((r) => r.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "*"))];
    return {
      block: s.name,
      unit: s.name === null ? `tova-${slug}@.service` : `tova-${slug}-${s.name.replace(/[^A-Za-z0-9-]/g, "-")}@.service`,
      // The release is `tova build --production`'s output (cli/production.ts).
      entry: `server${s.name === null ? "" : `.${s.name}`}.js`,
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
