import { createHash } from "node:crypto";
import { instances, instanceUnit, type DeployLayout } from "./plan.js";
import type { RegistryApp } from "./registry.js";

/**
 * `.tova-manifest.json` (deploy-blocks.md, "Change Detection"): what the app
 * needs from the server, with a hash per provisioning layer, so a redeploy
 * runs only the layers whose requirements changed.
 */
export const LAYERS = ["system", "databases", "app", "secrets", "proxy", "services"] as const;
export type LayerName = (typeof LAYERS)[number];
export type LayerHashes = Record<LayerName, string>;

export function requirements(l: DeployLayout) {
  return {
    system: { runtime: l.infra.runtime, caddy: true, firewall: [22, 80, 443] },
    databases: l.infra.databases,
    app: { name: l.app, dataFiles: l.infra.dataFiles, sqlite: l.infra.databases.sqlite?.files ?? [] },
    secrets: l.infra.secrets,
    proxy: { domain: l.target.domain, ports: l.servers.map((s) => [s.block, s.ports, s.paths]), websockets: l.infra.proxy.websockets, sse: l.infra.proxy.sse, cors: l.infra.proxy.cors, health: l.infra.health },
    services: { units: l.servers.map((s) => [s.unit, s.ports]), memory: l.target.memory, restart: l.target.restartOnFailure, env: l.target.env, health: l.infra.health },
  };
}

export const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

/**
 * The manifest. At deploy time `files` adds the hash of every file of the
 * bundle, so the next deploy can say how many files changed.
 */
export function renderManifest(l: DeployLayout, files?: Record<string, string>): string {
  const layers = layerHashes(l);
  return JSON.stringify({ app: l.app, target: l.target.name, hash: hash(layers), layers, requirements: requirements(l), ...(files ? { files } : {}) }, null, 2) + "\n";
}

/** The hash of each layer's requirements: a redeploy runs the layers whose hash changed. */
export function layerHashes(l: DeployLayout): LayerHashes {
  const req = requirements(l);
  return Object.fromEntries(LAYERS.map((k) => [k, hash(req[k])])) as LayerHashes;
}

/** This app's entry in the server's `registry.json` (deploy-blocks.md, section 5), without its live version. */
export function registryEntry(l: DeployLayout): Omit<RegistryApp, "version"> {
  return {
    ports: l.servers.flatMap((s) => s.ports),
    domain: l.target.domain,
    instances: l.target.instances,
    servers: Object.fromEntries(l.servers.map((s) => [s.block ?? "default", s.ports])),
    units: instances(l).map((i) => i.unit),
  };
}

export function renderRegistryEntry(l: DeployLayout): string {
  return JSON.stringify({ apps: { [l.app]: registryEntry(l) } }, null, 2) + "\n";
}

/** What a deploy reads back from a release's `.tova-manifest.json`. */
export interface ReleaseManifest {
  layers: LayerHashes;
  /** The hash of every file of the release. */
  files: Record<string, string>;
  /** Its instances (`tova-myapp@3000.service` on 3000), in block order. */
  instances: { port: number; unit: string }[];
  /** The ports of each server block ("default" for the unnamed one). */
  servers: Record<string, number[]>;
  health: { path: string; timeoutSeconds: number };
}

/** Parses a manifest a deploy wrote; null when it is missing or not one (a release of another tool, a damaged file). */
export function parseManifest(text: string): ReleaseManifest | null {
  try {
    const m = JSON.parse(text) as {
      layers?: LayerHashes;
      files?: Record<string, string>;
      requirements?: { proxy?: { ports?: [string | null, number[]][] }; services?: { units?: [string, number[]][]; health?: { path: string; timeoutSeconds: number } } };
    };
    const units = m.requirements?.services?.units;
    const health = m.requirements?.services?.health;
    if (!m.layers || !Array.isArray(units) || !health) return null;
    return {
      layers: m.layers,
      files: m.files ?? {},
      instances: units.flatMap(([template, ports]) => ports.map((port) => ({ port, unit: instanceUnit(template, port) }))),
      servers: Object.fromEntries((m.requirements?.proxy?.ports ?? []).map(([block, ports]) => [block ?? "default", ports])),
      health,
    };
  } catch {
    return null;
  }
}
