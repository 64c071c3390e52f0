import { spawn, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { watch } from "chokidar";
import { sessionAppKey } from "./app-key.js";
import { build, type BuildResult } from "./build.js";
import { DOTENV_FILES, readDotEnv } from "./dotenv.js";
import { LogFormatter, useColour, type LogStyle } from "./log-format.js";
import { EXIT } from "./errors.js";
import { BUN_PATH } from "./toolchain.js";

export interface DevArgs {
  path: string;
  out: string;
  port?: number | undefined;
  typecheck: boolean;
  /** Processes per server block (scale-out.md): the first on the block's port, the others after every block's ports. */
  instances?: number;
  /** How the servers' log lines are shown: readable at a terminal, JSON lines otherwise (or with `--log json`). */
  log?: LogStyle;
}

/**
 * `tova dev` (named-blocks.md, "Development"): builds, starts every server
 * block as its own Bun process with its port variable, and prints the banner.
 * On a change to any `.tova` file, or to a local module the program imports
 * (`./helpers.js`), it rebuilds and restarts every process; a
 * change that does not compile prints the diagnostics and leaves the running
 * processes up. A process that crashes is reported with its last output and
 * restarted with backoff. Ctrl-C or SIGTERM stops every child.
 */
export async function runDev(args: DevArgs): Promise<number> {
  const log = (line = "") => process.stdout.write(`${line}\n`);
  log("  Tova dev server starting...");
  log();
  const first = await build({ ...args, emit: [], verbose: false, linkStatic: true });
  if (first.code !== EXIT.ok) return first.code;
  // The servers run inside the output folder: the project's .env files are read here, beside the program.
  const project = statSync(args.path).isDirectory() ? args.path : path.dirname(args.path);
  const style = args.log ?? (process.stdout.isTTY ? "pretty" : "json");
  const fleet = new Fleet(args.out, log, args.instances ?? 1, project, style === "pretty" ? new LogFormatter(useColour(process.stdout)) : null);
  log(`  Compiled ${first.fileCount} file(s)`);
  log(`  Output: ${args.out.endsWith("/") ? args.out : `${args.out}/`}`);
  fleet.start(first);

  let rebuilding: Promise<void> | null = null;
  let again = false;
  // Set by Ctrl-C or SIGTERM: a rebuild still running then starts no servers (they would outlive `tova dev`).
  let closed = false;
  const changed = new Set<string>();
  const rebuild = async (file: string) => {
    if (closed) return;
    changed.add(path.relative(process.cwd(), file) || file);
    if (rebuilding) {
      again = true;
      return;
    }
    rebuilding = (async () => {
      do {
        again = false;
        log();
        log(`  Changed: ${[...changed].join(", ")}; rebuilding...`);
        changed.clear();
        const started = performance.now();
        const next = await build({ ...args, emit: [], verbose: false, linkStatic: true }).catch((e: unknown) => {
          log(`  tova: ${(e as Error).message}`);
          return null;
        });
        if (closed) return;
        if (!next || next.code !== EXIT.ok) {
          log("  The change does not compile; the running servers keep serving the last build.");
          continue;
        }
        const added = next.localModules.filter((m) => !locals.has(m));
        locals = new Set(next.localModules);
        if (added.length) watcher.add(added);
        log(`  Rebuilt in ${Math.round(performance.now() - started)} ms`);
        await fleet.stopAll();
        if (closed) return;
        fleet.start(next);
      } while (again);
    })();
    await rebuilding;
    rebuilding = null;
  };

  // The local modules the program imports are watched too (the list follows each successful build).
  let locals = new Set(first.localModules);
  // A changed .env restarts the servers with the new values (rebuilding is cheap, and unchanged modules are reused).
  const envFiles = new Set(DOTENV_FILES.map((f) => path.resolve(project, f)));
  const watcher = watch(args.path, {
    ignoreInitial: true,
    ignored: (p, stats) => (stats?.isFile() ? !(p.endsWith(".tova") || locals.has(path.resolve(p)) || envFiles.has(path.resolve(p))) : /(^|[\\/])(node_modules|\.[^\\/]+)$/.test(p) && p !== args.path),
  });
  watcher.add([...locals, ...envFiles]);
  watcher.on("all", (_event, file) => {
    if (file.endsWith(".tova") || locals.has(path.resolve(file)) || envFiles.has(path.resolve(file))) void rebuild(file);
  });

  return new Promise<number>((resolve) => {
    const shutdown = async () => {
      process.off("SIGINT", shutdown);
      process.off("SIGTERM", shutdown);
      closed = true;
      await watcher.close();
      // A rebuild under way finishes (its checker process with it) and starts nothing; then every server stops.
      await rebuilding?.catch(() => undefined);
      await fleet.stopAll();
      resolve(EXIT.ok);
    };
    process.on("SIGINT", shutdown);
    process.on("SIGTERM", shutdown);
  });
}

interface Proc {
  label: string;
  file: string;
  port: number;
  /** The variable that tells it its port. */
  portEnv: string;
  child: ChildProcess | null;
  tail: string[];
  restarts: number;
  startedAt: number;
  stopping: boolean;
  timer: NodeJS.Timeout | null;
}

/** The running server processes of one build. */
class Fleet {
  private procs: Proc[] = [];
  private env: Record<string, string> = {};
  /** One key for the whole session: every process, and every restart, signs and checks internal requests with it. */
  private readonly appKey = sessionAppKey();

  constructor(
    private readonly out: string,
    private readonly log: (line?: string) => void,
    private readonly instances = 1,
    /** Where the program is: its `.env` and `.env.local` are read at each start. */
    private readonly project = ".",
    /** Readable log lines (at a terminal), or null to pass the JSON lines through. */
    private readonly formatter: LogFormatter | null = null,
  ) {}

  /** The project's .env values, read again at each start (a changed file restarts the servers). */
  private fileEnv: Record<string, string> = {};

  start(result: BuildResult): void {
    const servers = result.entries.filter((e) => e.kind === "server");
    const dotenv = readDotEnv(this.project);
    this.fileEnv = dotenv.values;
    if (dotenv.files.length) this.log(`  Environment: ${dotenv.files.join(", ")} (values already set in the shell win)`);
    const ports = instancePorts(servers.map((s) => s.port!), this.instances);
    // Every process knows every server's port (and with several instances, all of them: PORTS_<NAME>), so peers and
    // events find each other, and the app's key, so they accept each other's events.
    // HOST: development servers listen on loopback only (security.md, "Requests").
    this.env = {
      ...Object.fromEntries(servers.map((s) => [s.portEnv!, String(s.port)])),
      ...(this.instances > 1 ? Object.fromEntries(servers.map((s) => [s.portEnv!.replace(/^PORT/, "PORTS"), ports.get(s.port!)!.join(",")])) : {}),
      TOVA_APP_KEY: this.appKey,
      HOST: "127.0.0.1",
    };
    this.procs = servers.flatMap((s) =>
      ports.get(s.port!)!.map((port, i) => ({
        label: `${s.block === null ? "server" : `server:${s.block}`}${this.instances > 1 ? `#${i + 1}` : ""}`,
        file: path.resolve(this.out, s.js),
        port,
        portEnv: s.portEnv!,
        child: null,
        tail: [],
        restarts: 0,
        startedAt: 0,
        stopping: false,
        timer: null,
      })),
    );
    for (const p of this.procs) {
      this.log(`  Starting ${p.label} on port ${p.port}`);
      this.spawn(p);
    }
    this.log();
    this.log(`  ${this.procs.length} server process(es) running`);
    for (const p of this.procs) this.log(`    -> ${p.label}: http://localhost:${p.port}`);
  }

  private spawn(p: Proc): void {
    p.startedAt = Date.now();
    const child = spawn(BUN_PATH, ["run", p.file], { cwd: path.dirname(p.file), env: { ...this.fileEnv, ...process.env, ...this.env, [p.portEnv]: String(p.port), TOVA_PARENT_PID: String(process.pid) }, stdio: ["ignore", "pipe", "pipe"] });
    p.child = child;
    const forward = (data: Buffer) => {
      for (const line of data.toString().split("\n")) {
        if (line === "") continue;
        p.tail.push(line);
        if (p.tail.length > 20) p.tail.shift();
        process.stdout.write(this.formatter ? `  ${this.formatter.format(p.label, line)}\n` : `  [${p.label}] ${line}\n`);
      }
    };
    child.stdout!.on("data", forward);
    child.stderr!.on("data", forward);
    child.on("exit", (code, signal) => {
      if (p.child !== child) return;
      p.child = null;
      if (p.stopping) return;
      // A crash: report it with its last output, restart with backoff (reset after a good minute).
      if (Date.now() - p.startedAt > 60_000) p.restarts = 0;
      const delay = Math.min(30_000, 500 * 2 ** p.restarts);
      p.restarts++;
      this.log(`  ${p.label} exited (${signal ?? `code ${code}`}); restarting in ${(delay / 1000).toFixed(1)} s. Its last output:`);
      for (const line of p.tail.slice(-10)) this.log(`    ${line}`);
      p.timer = setTimeout(() => {
        p.timer = null;
        if (!p.stopping) this.spawn(p);
      }, delay);
    });
  }

  /** SIGTERM to every process, SIGKILL to any still running after 5 s. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.procs.map(async (p) => {
        p.stopping = true;
        if (p.timer) clearTimeout(p.timer);
        const child = p.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.procs = [];
  }
}

/**
 * The ports of each block's instances: the first on the block's own port, the
 * k-th 1000 × (k - 1) above it (3000, 4000, ...), so they stay clear of the
 * ports next to the blocks', which programs name for services of their own
 * (the monitoring example watches one on 3002). A port already taken, or past
 * 65535, gives way to the next free one after every block's first port.
 */
export function instancePorts(firsts: readonly number[], instances: number): Map<number, number[]> {
  const used = new Set(firsts);
  let next = Math.max(...firsts) + 1;
  const pick = (first: number, k: number): number => {
    let port = first + 1000 * k;
    if (port > 65535 || used.has(port)) {
      while (used.has(next)) next++;
      port = next;
    }
    used.add(port);
    return port;
  };
  return new Map(firsts.map((first) => [first, [first, ...Array.from({ length: instances - 1 }, (_, i) => pick(first, i + 1))]]));
}
