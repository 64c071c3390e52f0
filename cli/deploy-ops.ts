import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { appName, instances, layout, onThisHost, portCount, type DeployLayout } from "../backends/deploy/plan.js";
import { claimPorts, renderRegistry, withoutApp, type Registry } from "../backends/deploy/registry.js";
import { postReceiveHook } from "../backends/deploy/git-hook.js";
import * as scripts from "../backends/deploy/remote.js";
import { command } from "../backends/deploy/shell.js";
import { check, DeployFailure, failed, reach, registryOf, rollout, withLock } from "./deploy.js";
import { chooseHosts, loadDeployTarget } from "./deploy-target.js";
import { EXIT, UsageError } from "./errors.js";
import { Progress, plural, size } from "./progress.js";
import { confirm, interactive } from "./prompt.js";
import { sshTransport, unreachableMessage, type Transport } from "./ssh.js";
import { PACKAGE_ROOT } from "./toolchain.js";

/**
 * The other `tova deploy` operations (deploy-blocks.md, sections 4 to 7):
 * --status, --logs, --ssh, --remove, --setup-git and --list. Each acts on
 * the server of a deploy block over the system ssh and changes nothing it
 * does not say it changes.
 */
export interface OpsArgs {
  env?: string | undefined;
  path: string;
  status?: boolean;
  logs?: boolean;
  since?: string | undefined;
  instance?: string | undefined;
  ssh?: boolean;
  remove?: boolean;
  yes?: boolean;
  setupGit?: boolean;
  list?: boolean;
  server?: string | undefined;
  /** Only this one of the deploy block's hosts. */
  host?: string | undefined;
}

export async function runDeployOp(args: OpsArgs): Promise<number> {
  const progress = new Progress();
  try {
    if (args.list) {
      if (!args.server) throw new UsageError("tova deploy --list needs --server <ssh-target>");
      return list(sshTransport(args.server), progress);
    }
    if (!args.env) throw new UsageError("name the deploy block: tova deploy <env> [--status|--logs|--ssh|--remove|--setup-git]");
    const loaded = await loadDeployTarget(args.path, args.env);
    if (!loaded) return EXIT.errors;
    const { app, target } = loaded;
    const hosts = chooseHosts(target, args.host).map(sshTransport);
    const name = appName(app, target);
    const several = hosts.length > 1;
    /** What one host holds for the app: its state, registry, layout and units. */
    const onHost = (server: Transport): Host => {
      const state = scripts.parseState(check(server, server.run(scripts.stateScript(name), 30_000), "reading the server's state").stdout);
      const registry = registryOf(server, state.registry);
      const l = layout(app, target, claimPorts(registry, name, portCount(app, target)));
      return { server, state, registry, l, units: registry.apps[name]?.units ?? instances(l).map((i) => i.unit) };
    };

    if (args.status) {
      // Every host, each in its own section; one that cannot be reached is said so and the others still shown.
      let code: number = EXIT.ok;
      for (const server of hosts) {
        if (several) {
          progress.line();
          progress.line(`── ${server.label} ──`);
        }
        try {
          const h = onHost(server);
          if (status(server, progress, name, h.state, h.registry, h.units, h.l.target.health, target.keepReleases, `https://${target.domain}`) !== EXIT.ok) code = EXIT.errors;
        } catch (e) {
          if (!several || !(e instanceof DeployFailure || e instanceof scripts.CutShort)) throw e;
          progress.line(`○ unreachable: ${e.message}`);
          code = EXIT.errors;
        }
      }
      return code;
    }
    if (args.logs) {
      const chosen = hosts.map((server) => {
        const h = onHost(server);
        return { server, words: journalWords(h.units, args, h.l.servers.map((s) => s.ports.length)) };
      });
      if (!several) return chosen[0]!.server.attach(command(...chosen[0]!.words, ...(process.stdout.isTTY ? ["-f"] : [])), process.stdout.isTTY === true);
      return logsAcrossHosts(chosen, process.stdout.isTTY === true);
    }
    if (args.ssh) {
      if (several) throw new UsageError(`--ssh opens a shell on one host: add --host with one of ${target.servers.join(", ")}`);
      return hosts[0]!.attach(`cd "\${TOVA_PREFIX:-}/opt/tova/apps/"${name} 2>/dev/null || cd "\${TOVA_PREFIX:-}/opt/tova"; exec "\${SHELL:-bash}" -l`, true);
    }
    if (args.remove) {
      if (!(await confirmRemoval(progress, name, hosts, args.yes === true))) return EXIT.ok;
      return await rollout(hosts, progress, "Removal", (server) => {
        const h = onHost(server);
        // A database on a database host stays there (other hosts of the app may still use it).
        const postgres = h.l.infra.databases.postgres;
        return remove(server, progress, name, h.units, h.l.servers.map((s) => s.unit), postgres && onThisHost(postgres) ? postgres : null);
      });
    }
    if (args.setupGit) {
      if (target.servers.length > 1) throw new UsageError(`--setup-git deploys a push on the server it is pushed to, and deploy "${target.name}" has ${target.servers.length} hosts: deploy with \`tova deploy ${target.name}\` (a rolling deploy to every host)`);
      return await setupGit(hosts[0]!, progress, name, args.env, target.branch, args.path);
    }
    throw new UsageError("nothing to do");
  } catch (e) {
    if (e instanceof DeployFailure || e instanceof scripts.CutShort) return failed(progress, e.message, e instanceof DeployFailure ? e.detail : "");
    throw e;
  }
}

function status(server: Transport, progress: Progress, name: string, state: scripts.ServerState, registry: Registry, units: string[], health: string, keep: number, url: string): number {
  if (!state.current) {
    progress.line(`${name} is not deployed on ${server.label}.`);
    return EXIT.errors;
  }
  const r = check(server, server.run(scripts.statusScript(name, units, health), 60_000), "reading the server's state");
  const rows = r.stdout.split("\n").filter((line) => line.startsWith("unit "));
  const value = (key: string) => r.stdout.split("\n").find((line) => line.startsWith(`${key} `))?.slice(key.length + 1).trim() ?? "";
  const healthy = rows.filter((row) => row.split(" ")[3] === "healthy").length;
  progress.line();
  progress.line(`${name} — ${url}`);
  progress.line("─".repeat(46));
  progress.line(`Status:     ${healthy === rows.length ? "● running" : healthy === 0 ? "○ down" : "◐ degraded"} (${value("current")})`);
  progress.line(`Instances:  ${healthy}/${rows.length} healthy`);
  progress.line();
  for (const row of rows) {
    const [, unit, active, ok, memory, ...since] = row.split(" ");
    const port = unit!.replace(/^.*@(\d+)\.service$/, "$1");
    const mem = Number(memory);
    progress.line(`  @${port}   ${active === "active" ? "●" : "○"} ${active}   ${ok}   mem: ${Number.isFinite(mem) && mem > 0 ? size(mem) : "-"}   since: ${since.join(" ") || "-"}`);
  }
  progress.line();
  const deployed = Number(value("deployed"));
  progress.line(`Last deploy:  ${deployed ? new Date(deployed * 1000).toISOString().replace("T", " ").slice(0, 19) : "-"}${registry.apps[name]?.version ? ` (${registry.apps[name]!.version})` : ""}`);
  progress.line(`Releases:     ${value("releases")} (keeping last ${keep})`);
  return healthy === rows.length ? EXIT.ok : EXIT.errors;
}

interface Host {
  server: Transport;
  state: scripts.ServerState;
  registry: Registry;
  l: DeployLayout;
  units: string[];
}

/**
 * `--logs` of several hosts: every line prefixed with its host. Without a
 * terminal each host's journal in turn; at a terminal all of them followed
 * at once, until Ctrl-C.
 */
async function logsAcrossHosts(chosen: { server: Transport; words: string[] }[], follow: boolean): Promise<number> {
  const width = Math.max(...chosen.map((c) => c.server.label.length));
  const prefixed = (label: string) => (line: string) => process.stdout.write(`${label.padEnd(width)} | ${line}\n`);
  if (!follow) {
    let code = 0;
    for (const { server, words } of chosen) {
      const r = server.run(command(...words), 120_000);
      if (r.unreachable) {
        prefixed(server.label)(`unreachable: ${unreachableMessage(server, r)}`);
        code = EXIT.errors;
        continue;
      }
      for (const line of r.stdout.replace(/\n$/, "").split("\n").filter((l) => l !== "")) prefixed(server.label)(line);
      if (r.code !== 0) code = EXIT.errors;
    }
    return code;
  }
  const codes = await Promise.all(chosen.map(({ server, words }) => server.stream(command(...words, "-f"), prefixed(server.label))));
  return codes.every((c) => c === 0) ? EXIT.ok : EXIT.errors;
}

/** `--logs [--since] [--instance N]`: the journalctl command of the app's units on one host (`-f` is added to follow). */
function journalWords(units: string[], args: OpsArgs, perBlock: number[]): string[] {
  let chosen = units;
  if (args.instance !== undefined) {
    const n = Number(args.instance);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--instance must be an instance number (1, 2, ...) or a port, got "${args.instance}"`);
    // A port names one unit; a small number is the nth instance of every server block.
    chosen = units.filter((u) => u.endsWith(`@${n}.service`));
    if (chosen.length === 0) {
      let i = 0;
      chosen = perBlock.flatMap((count) => {
        const block = units.slice(i, i + count);
        i += count;
        return block[n - 1] ? [block[n - 1]!] : [];
      });
    }
    if (chosen.length === 0) throw new UsageError(`there is no instance ${n}: the app runs ${plural(Math.max(...perBlock, 0), "instance")} per server block`);
  }
  return ["journalctl", "--no-pager", "-o", "short-iso", ...chosen.flatMap((u) => ["-u", u]), ...(args.since ? ["--since", args.since] : [])];
}

/** Asks once before the app is removed from its hosts (unless --yes); false when the answer is no. */
async function confirmRemoval(progress: Progress, name: string, hosts: Transport[], yes: boolean): Promise<boolean> {
  progress.line();
  if (yes) return true;
  if (!interactive()) throw new UsageError(`--remove asks before it removes "${name}"; add --yes to confirm without a terminal`);
  if (await confirm(`  Remove "${name}" from ${hosts.map((h) => h.label).join(", ")}?`)) return true;
  progress.line("Nothing removed.");
  return false;
}

async function remove(server: Transport, progress: Progress, name: string, units: string[], templates: string[], postgres: { database: string; user: string; port: number } | null): Promise<number> {
  return withLock(server, name, progress, async (state) => {
    const registry = registryOf(server, state.registry);
    if (!state.current && !registry.apps[name]) throw new DeployFailure(`"${name}" is not deployed on ${server.label}: nothing to remove`);
    progress.line(`Removing "${name}" from ${server.label}...`);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const r = reach(server, server.run(scripts.removeScript(name, units, templates, postgres, stamp), 300_000));
    const did = new Set(r.stdout.split("\n").filter((line) => line.startsWith("step ")).map((line) => line.slice(5)));
    progress.step(`Stop ${plural(units.length, "instance")}`, did.has("stopped"));
    if (did.has("stopped")) progress.step("Remove systemd services", did.has("units"));
    if (did.has("units")) progress.step("Remove Caddy config", did.has("proxy"));
    if (postgres && did.has("proxy")) progress.step(`Drop database ${postgres.database} (dumped into the archive)`, did.has("database"));
    if (r.code !== 0) throw new DeployFailure(`removing "${name}" failed on ${server.label} (exit ${r.code}):`, `${r.stdout}\n${r.stderr}`);
    const archive = r.stdout.split("\n").find((line) => line.startsWith("archive "))?.slice(8) ?? "";
    progress.step(`Archive data to ${archive}`);
    const ports = registry.apps[name]?.ports ?? [];
    const written = server.run(scripts.writeRegistryScript(renderRegistry(withoutApp(registry, name))));
    if (written.code !== 0) throw new DeployFailure(`writing registry.json failed on ${server.label}:`, written.stderr);
    if (ports.length) progress.step(`Release ${plural(ports.length, "port")} (${ports.join(", ")})`);
    progress.line();
    progress.line("✓ Removed (data archived, not deleted)");
    return EXIT.ok;
  });
}

function list(server: Transport, progress: Progress): number {
  const r = check(server, server.run(scripts.listScript(), 60_000), "reading the server's state");
  const sections = scripts.parseSections(r.stdout);
  const section = (n: string) => sections.get(n) ?? "";
  const registry = registryOf(server, section("registry"));
  const states = new Map(section("units").split("\n").filter(Boolean).map((line) => [line.split(" ")[0]!, line.split(" ")[1] === "active"]));
  const host = server.label.replace(/^.*@/, "");
  progress.line();
  progress.line(`Apps on ${host}`);
  progress.line("─".repeat(37));
  const apps = Object.entries(registry.apps).sort(([a], [b]) => (a < b ? -1 : 1));
  if (apps.length === 0) progress.line("(none)");
  const width = Math.max(0, ...apps.map(([n]) => n.length));
  const dwidth = Math.max(0, ...apps.map(([, a]) => a.domain.length));
  for (const [n, a] of apps) {
    const running = (a.units ?? []).filter((u) => states.get(u)).length;
    const total = (a.units ?? []).length;
    const mark = total > 0 && running === total ? "● running" : running > 0 ? `◐ ${running}/${total} running` : "○ stopped";
    progress.line(`${n.padEnd(width)}   ${a.domain.padEnd(dwidth)}   ${(a.version ?? "-").padEnd(4)} ${plural(a.instances, "instance").padEnd(12)} ports ${a.ports.join(",")}   ${mark}`);
  }
  progress.line();
  const resources = section("resources").split("\n").filter(Boolean).map((line) => line.split(" "));
  progress.line(`Resources: ${resources.map(([s, st]) => `${s} ${st === "active" ? "●" : "○"}`).join("  ")}`);
  const [memUsed, memTotal] = section("memory").trim().split(" ").map(Number);
  const [diskUsed, diskTotal] = section("disk").trim().split(" ").map(Number);
  if (memTotal) progress.line(`Memory: ${size(memUsed!)} / ${size(memTotal)} used`);
  if (diskTotal) progress.line(`Disk: ${size(diskUsed!)} / ${size(diskTotal)} used`);
  return EXIT.ok;
}

/**
 * `--setup-git` (deploy-blocks.md, section 6): a bare repository beside the
 * app and a post-receive hook that deploys pushes to the block's `branch`
 * with this same code (`tova deploy <env> --local`, run by the toolchain
 * copied to the server), then a git remote named after the environment.
 */
async function setupGit(server: Transport, progress: Progress, name: string, env: string, branch: string, source: string): Promise<number> {
  progress.line();
  progress.line(`Setting up git deployment on ${server.label}...`);
  const root = repoRoot(source);
  const version = packageVersion();
  const upload = await server.upload(PACKAGE_ROOT, scripts.receiveToolchainCommand(version), ["package.json", "package-lock.json", "dist"].filter((e) => existsSync(path.join(PACKAGE_ROOT, e))));
  check(server, upload, "copying the Tova toolchain");
  check(server, server.run(scripts.installToolchainScript(version), 900_000), "installing the Tova toolchain");
  progress.step(`Tova ${version} toolchain in /opt/tova/toolchain`);
  const relative = path.relative(root, path.resolve(source)) || ".";
  const hook = postReceiveHook({ app: name, env, branch, path: relative, toolchain: `toolchain/tova-${version}` });
  const r = check(server, server.run(scripts.setupGitScript(name, hook), 60_000), "reading the server's state");
  const repo = r.stdout.split("\n").find((line) => line.startsWith("repo "))?.slice(5) ?? `/opt/tova/apps/${name}/repo.git`;
  progress.step(`Creating bare repo at ${repo}`);
  progress.step("Installing post-receive hook");
  const remoteUrl = `${server.label}:${repo}`;
  const add = spawnSync("git", ["remote", "add", env, remoteUrl], { cwd: root, encoding: "utf8" });
  const exists = add.status !== 0 && /already exists/.test(add.stderr);
  if (exists) spawnSync("git", ["remote", "set-url", env, remoteUrl], { cwd: root });
  progress.step(`Adding git remote "${env}" to local project`, add.status === 0 || exists);
  progress.line();
  progress.line("Done. You can now deploy with:");
  progress.line(`  git push ${env} ${branch}`);
  return EXIT.ok;
}

function repoRoot(source: string): string {
  const dir = path.extname(source) === ".tova" ? path.dirname(path.resolve(source)) : path.resolve(source);
  const r = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new UsageError(`--setup-git needs the project in a git repository (${dir} is not in one)`);
  return r.stdout.trim();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
