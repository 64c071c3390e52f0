import os from "node:os";
import { npmImports } from "../compile.js";
import type { CheckedApp } from "../ir/checked.js";
import type { DeployTarget } from "../ir/types.js";
import { LAYERS, layerHashes, parseManifest, registryEntry, renderManifest, type LayerName, type ReleaseManifest } from "../backends/deploy/manifest.js";
import { renderPlan } from "../backends/deploy/plan-text.js";
import { appName, elsewhere, instances, layout, portCount, type DeployLayout } from "../backends/deploy/plan.js";
import { renderProvision } from "../backends/deploy/provision.js";
import { claimPorts, parseRegistry, renderRegistry, withApp, type Registry, type RegistryApp } from "../backends/deploy/registry.js";
import * as scripts from "../backends/deploy/remote.js";
import { addToBundle, buildBundle, BundleError, changedFiles, type Bundle } from "./bundle.js";
import { databaseHostSecrets, hasDatabaseHost, provisionDatabaseHosts } from "./deploy-db-host.js";
import { chooseHosts, loadDeployTarget } from "./deploy-target.js";
import { EXIT } from "./errors.js";
import { Progress, plural, size } from "./progress.js";
import { askSecret, interactive } from "./prompt.js";
import { localTransport, sshTransport, unreachableMessage, type Remote, type Transport } from "./ssh.js";

export interface DeployArgs {
  env: string;
  path: string;
  plan?: boolean;
  rollback?: boolean;
  /** Run on this machine instead of over ssh (the git hook on the server). */
  local?: boolean;
  /** Only this one of the deploy block's hosts. */
  host?: string | undefined;
}

/**
 * A deploy that cannot go on: one message (the host, the failing step and
 * what the server said), printed without a stack trace; exit 1.
 */
export class DeployFailure extends Error {
  constructor(message: string, readonly detail = "") {
    super(message);
  }
}

/** `tova deploy <env>` and `--plan` / `--rollback` (deploy-blocks.md, sections 2 and 4). */
export async function runDeploy(args: DeployArgs): Promise<number> {
  const loaded = await loadDeployTarget(args.path, args.env);
  if (!loaded) return EXIT.errors;
  const { app, target } = loaded;
  // The git hook deploys the server it runs on; `--host` narrows the hosts to one.
  const hosts = args.local ? [localTransport()] : chooseHosts(target, args.host).map(sshTransport);
  const progress = new Progress();
  try {
    if (args.plan) return plan(app, target, hosts);
    if (args.rollback) return await rollout(hosts, progress, "Rollback", (server) => rollback(app, target, server, progress));
    return await deploy(args, app, target, hosts, progress);
  } catch (e) {
    if (e instanceof DeployFailure || e instanceof BundleError || e instanceof scripts.CutShort) return failed(progress, e.message, e instanceof DeployFailure ? e.detail : "");
    throw e;
  }
}

export function failed(progress: Progress, message: string, detail = ""): number {
  progress.line();
  progress.line(`✗ ${message}`);
  if (detail.trim()) progress.detail(tail(detail, 25));
  return EXIT.errors;
}

function tail(text: string, lines: number): string {
  return text.replace(/\s+$/, "").split("\n").slice(-lines).join("\n");
}

/**
 * `--plan`: what the compiler inferred and which layers would run on each
 * host; changes nothing. The ports shown are the first host's (each host's
 * registry gives its own).
 */
function plan(app: CheckedApp, target: DeployTarget, hosts: Transport[]): number {
  const name = appName(app, target);
  let ports: number[] | undefined;
  const previous = hosts.map((server) => {
    const r = server.run(scripts.stateScript(name), 15_000);
    if (r.unreachable || r.code !== 0) return { host: server.label, previous: "unreachable" as const };
    const state = scripts.parseState(r.stdout);
    ports ??= claimPorts(registryOf(server, state.registry), name, portCount(app, target));
    return { host: server.label, previous: parseManifest(state.manifest)?.layers ?? null };
  });
  const l = layout(app, target, ports);
  process.stdout.write(renderPlan(l, layerHashes(l), previous));
  return EXIT.ok;
}

/**
 * Runs `step` on each host in order (scale-out.md, "Several hosts"): the
 * next host only once the previous one succeeded (its health checks
 * answered). The first failure stops the rollout; the hosts after it are not
 * touched. With one host it is `step` alone.
 */
export async function rollout(hosts: Transport[], progress: Progress, what: string, step: (server: Transport, index: number) => Promise<number>): Promise<number> {
  if (hosts.length === 1) return step(hosts[0]!, 0);
  for (const [i, server] of hosts.entries()) {
    progress.line();
    progress.line(`── ${server.label} (host ${i + 1} of ${hosts.length}) ──`);
    let code: number;
    try {
      code = await step(server, i);
    } catch (e) {
      if (!(e instanceof DeployFailure || e instanceof scripts.CutShort)) throw e;
      code = failed(progress, e.message, e instanceof DeployFailure ? e.detail : "");
    }
    if (code !== EXIT.ok) {
      const done = hosts.slice(0, i).map((h) => h.label);
      const rest = hosts.slice(i + 1).map((h) => h.label);
      progress.line();
      progress.line(`✗ ${what} stopped at ${server.label}.${rest.length ? ` Not reached: ${rest.join(", ")} (left on the release they run).` : ""}`);
      if (done.length) progress.line(`  Done before it: ${done.join(", ")} (\`--host <host>\` acts on one host).`);
      return code;
    }
  }
  progress.line();
  progress.line(`✓ ${what} done on ${plural(hosts.length, "host")}: ${hosts.map((h) => h.label).join(", ")}`);
  return EXIT.ok;
}

export function registryOf(server: Transport, text: string): Registry {
  try {
    return parseRegistry(text);
  } catch (e) {
    throw new DeployFailure(`${server.label}: /opt/tova/registry.json is not valid (${(e as Error).message}); fix or remove it by hand`);
  }
}

/** Fails in one line when the server could not be reached at all. */
export function reach(server: Transport, r: Remote): Remote {
  if (r.unreachable) throw new DeployFailure(unreachableMessage(server, r));
  return r;
}

/** Fails with the host and the server's output unless the step exited 0. */
export function check(server: Transport, r: Remote, what: string): Remote {
  reach(server, r);
  if (r.code !== 0) throw new DeployFailure(`${what} failed on ${server.label} (exit ${r.code}):`, `${r.stdout}\n${r.stderr}`);
  return r;
}

const LOCK_POLL_MS = 1000;

/**
 * Takes the server's deploy lock, runs `body` with what the server holds,
 * and always lets the lock go. Another deploy holding it is waited for
 * (`TOVA_LOCK_WAIT` seconds, 600 by default), so deploys to one server run
 * one after the other and never claim the same ports.
 */
export async function withLock<T>(server: Transport, app: string, progress: Progress, body: (state: scripts.ServerState) => Promise<T>): Promise<T> {
  const owner = `${os.userInfo().username}@${os.hostname()} pid ${process.pid} since ${new Date().toISOString()} (${app})`;
  const waitSeconds = Number(process.env["TOVA_LOCK_WAIT"] ?? 600);
  const started = Date.now();
  let said = false;
  for (;;) {
    const r = server.run(scripts.lockScript(app, owner), 30_000);
    if (r.code === 75) {
      if (Date.now() - started > waitSeconds * 1000) {
        throw new DeployFailure(
          `another deploy still holds the lock on ${server.label} after ${waitSeconds}s: ${r.stdout.trim()}`,
          "If no deploy is running, remove /opt/tova/.deploy.lock on the server.",
        );
      }
      if (!said) progress.line(`Waiting for another deploy to finish (${r.stdout.trim()})...`);
      said = true;
      await new Promise((res) => setTimeout(res, LOCK_POLL_MS));
      continue;
    }
    check(server, r, "reading the server's state");
    try {
      return await body(scripts.parseState(r.stdout));
    } finally {
      server.run(scripts.unlockScript(), 30_000);
    }
  }
}

const LAYER_TITLES: Record<LayerName, string> = {
  system: "System: Bun, Caddy, firewall (22, 80, 443)",
  databases: "Databases",
  app: "App directories and permissions",
  secrets: "Secrets",
  proxy: "Proxy",
  services: "Services",
};

async function deploy(args: DeployArgs, app: CheckedApp, target: DeployTarget, hosts: Transport[], progress: Progress): Promise<number> {
  const name = appName(app, target);
  const infra = app.infrastructure.find((i) => i.target === target.name)!;
  progress.line();
  const bundle = await buildBundle(args.path, infra.dataFiles, npmImports(app.shared.imports));
  if (!bundle) return EXIT.errors;
  progress.done(`Compiling ${plural(app.files.length, ".tova file")}...`);
  try {
    const context = hosts.length > 1 || hasDatabaseHost(infra) ? await prepareRollout(app, target, hosts, progress) : { number: 0, env: [] };
    const ask = secretAsker();
    return await rollout(hosts, progress, "Rollout", (server) =>
      withLock(server, name, progress, async (state) => {
        progress.done(`Connecting to ${server.label}...`);
        return release(app, target, server, progress, state, bundle, { ...context, ask });
      }),
    );
  } finally {
    bundle.dispose();
  }
}

/** Asks for each missing secret once, however many hosts lack it. */
function secretAsker(): (name: string) => Promise<string> {
  const asked = new Map<string, string>();
  return async (name) => {
    if (!asked.has(name)) asked.set(name, await askSecret(`      ${name}: `));
    return asked.get(name)!;
  };
}

interface RolloutContext {
  /** The release number every host gets (at least; a host with a later one of its own goes on from there). */
  number: number;
  /** DATABASE_URL / REDIS_URL from the database host, written where a host lacks them. */
  env: [string, string][];
  ask?: (name: string) => Promise<string>;
}

/**
 * Before a deploy to several hosts (or with a database host) changes
 * anything: every host answers, none lacks a secret that cannot be asked
 * for, the release number is one for all, and the database host is
 * provisioned (once) and opened to the web hosts.
 */
async function prepareRollout(app: CheckedApp, target: DeployTarget, hosts: Transport[], progress: Progress): Promise<RolloutContext> {
  const name = appName(app, target);
  const infra = app.infrastructure.find((i) => i.target === target.name)!;
  const states = hosts.map((server) => ({ server, state: scripts.parseState(check(server, server.run(scripts.stateScript(name), 30_000), "reading the server's state").stdout) }));
  const auto = new Set(databaseHostSecrets(infra));
  const missing = states.map(({ server, state }) => ({ server, names: infra.secrets.filter((s) => !state.env.includes(s) && !auto.has(s)) })).filter((m) => m.names.length > 0);
  if (missing.length > 0 && !interactive()) {
    throw new DeployFailure(
      `missing secrets for deploy "${target.name}" in .env.production: ${missing.map((m) => `${m.names.join(", ")} on ${m.server.label}`).join("; ")}`,
      `Set each with \`tova env ${target.name} set NAME=value\` (it sets it on every host; or deploy from a terminal to be asked), then deploy again. Nothing was changed.`,
    );
  }
  const number = Math.max(0, ...states.flatMap(({ state }) => state.releases.map(scripts.releaseNumber))) + 1;
  const env = hasDatabaseHost(infra) ? await provisionDatabaseHosts(app, target, hosts, progress) : [];
  return { number, env };
}

/** One deploy, under the lock: upload, the layers that changed, flip, restart, health, and roll back on failure. */
async function release(app: CheckedApp, target: DeployTarget, server: Transport, progress: Progress, state: scripts.ServerState, bundle: Bundle, context: RolloutContext): Promise<number> {
  const name = appName(app, target);
  const registry = registryOf(server, state.registry);
  const ports = claimPorts(registry, name, portCount(app, target));
  const l = layout(app, target, ports);
  const manifest = renderManifest(l, bundle.files);
  const layers = layerHashes(l);
  const live = parseManifest(state.manifest);
  const previous = live?.layers ?? null;
  const first = state.current === null || previous === null;
  const number = Math.max(context.number, ...state.releases.map(scripts.releaseNumber).map((n) => n + 1), 1);
  const version = `v${number}`;
  const db = l.infra.databases;

  // Secrets first: a deploy that cannot start the app changes nothing.
  const fromDatabaseHost = context.env.filter(([key]) => !state.env.includes(key));
  const missing = l.infra.secrets.filter((s) => !state.env.includes(s) && !fromDatabaseHost.some(([key]) => key === s));
  const values: [string, string][] = [];
  if (missing.length > 0 && !interactive()) {
    throw new DeployFailure(
      `missing secrets for deploy "${target.name}" in .env.production on ${server.label}: ${missing.join(", ")}`,
      `Set each with \`tova env ${target.name} set NAME=value\` (or deploy from a terminal to be asked), then deploy again. Nothing was changed.`,
    );
  }

  const run = new Set<LayerName>(first ? LAYERS : LAYERS.filter((k) => previous![k] !== layers[k]));
  // Every deploy lays out the release, checks the secrets and restarts the services.
  for (const k of ["app", "secrets", "services"] as const) run.add(k);

  if (first) {
    progress.line("Analyzing app requirements...");
    const needs = ["Bun", db.sqlite ? "SQLite" : null, db.postgres ? `PostgreSQL${elsewhere(db.postgres)}` : null, db.redis ? `Redis${elsewhere(db.redis)}` : null, `Caddy${l.infra.proxy.autoSsl ? " (SSL)" : ""}`].filter(Boolean);
    progress.note(needs.join(", "));
    progress.note(`${plural(target.instances, "instance")}${l.servers.length > 1 ? ` of ${l.servers.length} servers` : ""}, ports ${ports.join(",")}, domain: ${target.domain}`);
  } else {
    progress.line("Analyzing changes...");
    const infraChanged = (["system", "databases", "proxy"] as const).filter((k) => run.has(k));
    progress.note(`Infrastructure: ${infraChanged.length ? `changed (${infraChanged.join(", ")})` : "no changes"}`);
    progress.note(`App: ${plural(changedFiles(live?.files ?? {}, bundle.files), "file")} changed`);
  }

  addToBundle(bundle, "provision.sh", renderProvision(l), 0o755);
  addToBundle(bundle, ".tova-manifest.json", manifest);

  let flipped = false;
  try {
    if (run.has("system") || run.has("databases")) {
      progress.line();
      progress.line("Provisioning server...");
    }
    // The release goes up first (not live yet), so every layer runs the script it brought.
    const uploading = progress.begin(`Uploading bundle (${plural(bundle.fileCount, "file")}, ${size(bundle.bytes)})`);
    const upload = await server.upload(bundle.dir, scripts.receiveCommand(name, version));
    uploading(upload.code === 0);
    check(server, upload, "uploading the release");
    for (const layer of ["system", "databases"] as const) {
      if (run.has(layer)) layerStep(server, progress, name, version, layer, layer === "databases" ? databasesTitle(l) : LAYER_TITLES[layer]);
    }

    progress.line();
    progress.line(`Deploying app (${version})...`);
    if (bundle.files["package.json"]) {
      const installing = progress.begin("Installing npm dependencies (bun install --production)");
      const installed = server.run(scripts.installDependenciesScript(name, version), 900_000);
      installing(installed.code === 0, "npm dependencies installed (bun install --production)");
      check(server, installed, "installing the npm dependencies (bun install --production)");
    }
    layerStep(server, progress, name, version, "app", LAYER_TITLES.app);
    if (l.infra.dataFiles.length) {
      check(server, server.run(scripts.dataFilesScript(name, version)), "copying the data files");
      progress.step(`Data files → data/ (${l.infra.dataFiles.join(", ")})`);
    }

    const showSecrets = missing.length > 0 || (first && l.infra.secrets.length > 0);
    if (showSecrets) {
      progress.line();
      progress.line("Configuring secrets...");
    }
    if (missing.length > 0) {
      progress.note("Missing secrets in .env.production:");
      for (const s of missing) values.push([s, context.ask ? await context.ask(s) : await askSecret(`      ${s}: `)]);
      check(server, server.run(scripts.setEnvScript(name, values)), "writing .env.production");
    }
    if (fromDatabaseHost.length > 0) {
      check(server, server.run(scripts.setEnvScript(name, fromDatabaseHost)), "writing .env.production");
      progress.step(`${fromDatabaseHost.map(([key]) => key).join(", ")} from the database host`);
    }
    layerStep(server, progress, name, version, "secrets", showSecrets ? `${plural(l.infra.secrets.length, "secret")} configured` : null);

    if (run.has("proxy")) {
      progress.line();
      progress.line("Configuring reverse proxy...");
      layerStep(server, progress, name, version, "proxy", `${target.domain} → localhost:${l.servers.flatMap((s) => s.ports).join(",")}`);
      for (const s of l.servers) for (const p of s.websockets) progress.step(`WebSocket ${p} → upgrade`);
      for (const s of l.servers) for (const p of s.sse) progress.step(`SSE ${p} → unbuffered`);
      if (l.infra.proxy.autoSsl) progress.step("SSL certificate (Caddy, Let's Encrypt)");
    }

    progress.line();
    progress.line(first ? "Starting app..." : "Restarting app...");
    const activating = progress.begin(`Setting current → releases/${version}`);
    const activated = server.run(scripts.activateScript(name, version));
    activating(activated.code === 0);
    check(server, activated, `setting current → releases/${version}`);
    flipped = true;
    const restarting = progress.begin(first ? "Starting the services" : "Restarting the services");
    const services = server.run(scripts.restartScript(name), 180_000);
    restarting(services.code === 0, `Services ${first ? "started" : "restarted"}`);
    check(server, services, `the services layer of ${version}`);
    for (const i of instances(l)) progress.step(`${i.unit} ${first ? "started" : "restarted"}`);
  } catch (e) {
    if (!flipped) {
      server.run(scripts.discardScript(name, version));
      if (e instanceof DeployFailure) {
        throw new DeployFailure(`${e.message}`, `${e.detail}\n\nNothing went live: ${state.current ? `${state.current} is still serving` : "the app was not started"}.`);
      }
    }
    throw e;
  }

  const checking = progress.begin(`Checking health ${target.health}`);
  const healthy = health(server, instances(l), { path: l.target.health, timeoutSeconds: l.target.healthTimeout });
  checking(healthy.ok, healthy.ok ? `Health check ${target.health} passed` : `Health check ${target.health}...`);
  const entry = { ...registryEntry(l), deployed_at: new Date().toISOString() };
  const units = entry.units ?? [];
  const before = liveUnits(registry, name, live);
  if (healthy.ok) {
    stopUnits(server, progress, before.filter((u) => !units.includes(u)));
    const pruned = server.run(scripts.pruneScript(name, target.keepReleases));
    check(server, server.run(scripts.writeRegistryScript(renderRegistry(withApp(registry, name, { ...entry, version })))), "writing registry.json");
    const removed = pruned.stdout.trim().split("\n").filter(Boolean);
    if (removed.length) progress.step(`Pruned ${removed.join(", ")} (keeping ${target.keepReleases})`);
    progress.line();
    progress.line(`✓ Live at ${url(l)} (${version})${target.servers.length > 1 ? ` on ${server.label}` : ""}`);
    return EXIT.ok;
  }

  progress.detail(healthy.output);
  const back = state.current;
  if (!back) {
    check(server, server.run(scripts.writeRegistryScript(renderRegistry(withApp(registry, name, { ...entry, version })))), "writing registry.json");
    return failed(progress, `Deploy failed: ${version} is not healthy and there is no earlier release to roll back to.`, `Run \`tova deploy ${target.name} --logs\` to investigate.`);
  }
  progress.line();
  progress.line("⚠ Health check failed, rolling back...");
  const restored = releaseManifest(server, name, back);
  const ok = switchTo(server, progress, name, back, restored, version, units);
  check(server, server.run(scripts.writeRegistryScript(renderRegistry(withApp(registry, name, entryOf(restored, target.domain, back))))), "writing registry.json");
  progress.line();
  progress.line(`✗ Deploy failed${target.servers.length > 1 ? ` on ${server.label}` : ""}. Rolled back to ${back}${ok ? "" : " (which is not healthy either)"}.`);
  progress.line(`  ${version} stays in releases/ for debugging. Run \`tova deploy ${target.name} --logs\` to investigate.`);
  return EXIT.errors;
}

/** Stops instances no release needs any more (their ports go back to the registry). */
function stopUnits(server: Transport, progress: Progress, units: readonly string[]): void {
  if (units.length === 0) return;
  check(server, server.run(scripts.stopUnitsScript(units)), "stopping instances no longer needed");
  for (const u of units) progress.step(`${u} stopped`);
}

function databasesTitle(l: DeployLayout): string {
  const db = l.infra.databases;
  const parts = [db.sqlite ? "SQLite data directory" : null, db.postgres ? `PostgreSQL database "${db.postgres.database}"${elsewhere(db.postgres)}` : null, db.redis ? `Redis${elsewhere(db.redis)}` : null].filter(Boolean);
  return `Databases: ${parts.join(", ") || "none"}`;
}

/** Runs one provisioning layer of the uploaded release; a failure names the layer and shows its output. */
function layerStep(server: Transport, progress: Progress, app: string, version: string, layer: LayerName, title: string | null): void {
  const end = title ? progress.begin(title) : null;
  const r = reach(server, server.run(scripts.provisionScript(app, version, [layer]), 900_000));
  end?.(r.code === 0);
  if (r.code !== 0) {
    const reason = layer === "secrets" && r.code === 3 ? "missing secrets" : `exit ${r.code}`;
    throw new DeployFailure(`layer "${layer}" failed on ${server.label} (${reason}):`, `${r.stdout}\n${r.stderr}`);
  }
}

function url(l: DeployLayout): string {
  return `${l.infra.proxy.autoSsl ? "https" : "http"}://${l.target.domain}`;
}

function health(server: Transport, all: readonly { port: number; unit: string }[], probe: { path: string; timeoutSeconds: number }): { ok: boolean; output: string } {
  const r = reach(server, server.run(scripts.healthScript(all, probe.path, probe.timeoutSeconds), (probe.timeoutSeconds + 30) * 1000 * Math.max(1, all.length)));
  const output = r.stdout
    .split("\n")
    .filter((line) => !line.startsWith("ok "))
    .map((line) => line.replace(/^fail (\d+) ?/, "@$1: "))
    .join("\n");
  return { ok: r.code === 0, output: output + (r.stderr ? `\n${r.stderr}` : "") };
}

/** The registry entry of a release that is live again, from its own manifest (its instances may differ from the program's now). */
function entryOf(m: ReleaseManifest, domain: string, version: string): RegistryApp {
  const blocks = Object.values(m.servers);
  return { ports: m.instances.map((i) => i.port), domain, instances: blocks[0]?.length ?? m.instances.length, version, servers: m.servers, units: m.instances.map((i) => i.unit), deployed_at: new Date().toISOString() };
}

/** The instances the live release runs: the registry's record, and its manifest's (registries written before units were recorded). */
function liveUnits(registry: Registry, app: string, live: ReleaseManifest | null): string[] {
  return [...new Set([...(registry.apps[app]?.units ?? []), ...(live?.instances.map((i) => i.unit) ?? [])])];
}

function releaseManifest(server: Transport, app: string, release: string): ReleaseManifest {
  const manifest = parseManifest(check(server, server.run(scripts.releaseManifestScript(app, release)), `reading releases/${release}/.tova-manifest.json`).stdout);
  if (!manifest) throw new DeployFailure(`releases/${release} on ${server.label} has no readable .tova-manifest.json`);
  return manifest;
}

/**
 * Points `current` at `to` and runs that release's proxy and services
 * layers (its Caddy site and units), stops the instances only `from` had,
 * and checks the health of `to`'s own instances; says how it went.
 */
function switchTo(server: Transport, progress: Progress, app: string, to: string, manifest: ReleaseManifest, from: string, fromUnits: readonly string[]): boolean {
  check(server, server.run(scripts.switchScript(app, to), 180_000), `switching to ${to}`);
  progress.step(`current → releases/${to} (was ${from})`);
  progress.step("Services restarted");
  const live = manifest.instances.map((i) => i.unit);
  stopUnits(server, progress, fromUnits.filter((u) => !live.includes(u)));
  const h = health(server, manifest.instances, manifest.health);
  progress.step(`Health check ${h.ok ? "passed" : manifest.health.path}`, h.ok);
  if (!h.ok) progress.detail(h.output);
  return h.ok;
}

/** `--rollback`: the release before the live one goes live again. */
async function rollback(app: CheckedApp, target: DeployTarget, server: Transport, progress: Progress): Promise<number> {
  const name = appName(app, target);
  progress.line();
  return withLock(server, name, progress, async (state) => {
    if (!state.current) throw new DeployFailure(`"${name}" has not been deployed to ${server.label}: nothing to roll back`);
    const earlier = state.releases.filter((r) => scripts.releaseNumber(r) < scripts.releaseNumber(state.current!));
    const to = earlier[earlier.length - 1];
    if (!to) throw new DeployFailure(`${state.current} is the oldest release of "${name}" on ${server.label}: nothing to roll back to`);
    progress.line(`Rolling back ${name} on ${server.label}...`);
    const registry = registryOf(server, state.registry);
    const fromUnits = liveUnits(registry, name, parseManifest(state.manifest));
    const manifest = releaseManifest(server, name, to);
    // The release's ports may have been given to another app since (it had more instances then).
    const held = manifest.instances.flatMap((i) => Object.entries(registry.apps).filter(([other, a]) => other !== name && a.ports.includes(i.port)).map(([other]) => `${i.port} (now ${other}'s)`));
    if (held.length) throw new DeployFailure(`${to} ran on ports another app holds now: ${held.join(", ")}`, `Deploy the program again instead (its instances take free ports). Nothing was changed.`);
    const ok = switchTo(server, progress, name, to, manifest, state.current, fromUnits);
    const entry = registry.apps[name];
    check(server, server.run(scripts.writeRegistryScript(renderRegistry(withApp(registry, name, entryOf(manifest, entry?.domain ?? target.domain, to))))), "writing registry.json");
    progress.line();
    if (!ok) return failed(progress, `Rolled back to ${to}, but it is not healthy. Run \`tova deploy ${target.name} --logs\` to investigate.`);
    progress.line(`✓ Rolled back to ${to}`);
    return EXIT.ok;
  });
}
