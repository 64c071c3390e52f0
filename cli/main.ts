import { readFileSync } from "node:fs";
import { command, runCommandLine } from "./args.js";
import { EXIT, UsageError } from "./errors.js";

/**
 * The `tova` command. Each command lives in its own file, loaded only when it
 * runs, and returns an exit code; this file holds the command table (parsed
 * by args.ts) and turns failures into exit codes: a `UsageError` is one line
 * and exit 2, anything else is a Tova bug.
 */
const PATH = { name: "path", required: true, describe: "a .tova file, or a directory (every .tova file under it, recursively)", missing: "a .tova file or a directory of them" } as const;

/** The options `build`, `run` and `dev` share. */
const BUILD_OPTIONS = {
  out: { type: "string", default: ".tova-out", describe: "output directory" },
  port: { type: "string", describe: "base port for servers without an explicit one (default 3000)", coerce: port },
  typecheck: { type: "boolean", default: true, describe: "skip type-checking the emitted TypeScript (it is type-checked by default)" },
} as const;

const COMMANDS = [
  command({
    name: "check",
    describe: "Check a .tova file or a directory of them; print diagnostics",
    positionals: [PATH],
    options: {
      json: { type: "boolean", default: false, describe: "print the diagnostics as a JSON array, and nothing else" },
      port: { type: "string", describe: "base port for servers without an explicit one (default 3000)", coerce: port },
    },
    run: async (a) => {
      const { runCheck } = await import("./check.js");
      return runCheck({ path: a.path, json: a.json, port: a.port });
    },
  }),
  command({
    name: "eject",
    describe: "Write a standalone TypeScript project on Bun that no longer needs Tova",
    positionals: [PATH],
    options: {
      out: { type: "string", describe: "the project's directory: new or empty (default <stem>-ejected)" },
    },
    run: async (a) => {
      const { runEject } = await import("./eject.js");
      return runEject({ path: a.path, out: a.out });
    },
  }),
  command({
    name: "fmt",
    describe: "Rewrite .tova files in the canonical layout; --check only names the files that would change",
    positionals: [{ name: "paths", array: true, describe: ".tova files or directories (every .tova file under them)" }],
    options: {
      check: { type: "boolean", default: false, describe: "change nothing; exit 1 naming each file that is not formatted" },
    },
    run: async (a) => {
      const { runFmt } = await import("./fmt.js");
      return runFmt({ paths: a.paths, check: a.check });
    },
  }),
  command({
    name: "build",
    describe: "Compile a .tova file or directory to JavaScript for Bun (and more with --emit)",
    positionals: [PATH],
    options: {
      // Repeating the option (`--emit ir --emit ts`) or a comma list (`--emit ir,ts`) names several; build.ts splits the commas.
      emit: { type: "string", multiple: true, describe: "also write: `ts` (formatted TypeScript beside the .js), `ir` (<stem>.ir.json)" },
      production: { type: "boolean", default: false, describe: "one minified, self-contained bundle per server and per client, into --out (default dist/)" },
      quiet: { type: "boolean", default: false, describe: "plain lines for the steps, even at a terminal (as in CI)" },
      ...BUILD_OPTIONS,
    },
    run: async (a) => {
      if (a.production) {
        if (a.emit.length > 0) throw new UsageError("--production writes bundles only: leave out --emit");
        const { runProduction } = await import("./production.js");
        return runProduction({ path: a.path, out: a.out === ".tova-out" ? "dist" : a.out, port: a.port, typecheck: a.typecheck });
      }
      const { runBuild } = await import("./build.js");
      return runBuild({ path: a.path, emit: a.emit, out: a.out, port: a.port, typecheck: a.typecheck, quiet: a.quiet });
    },
  }),
  command({
    name: "dev",
    describe: "Build, start every server block as its own Bun process, and rebuild and restart on every change",
    positionals: [{ ...PATH, describe: "a .tova file, or a directory" }],
    options: {
      instances: { type: "string", default: "1", describe: "processes per server block (peers and events go round robin over them)", coerce: instances },
      log: { type: "string", choices: ["pretty", "json"], describe: "the servers' log lines: readable (the default at a terminal) or JSON lines" },
      ...BUILD_OPTIONS,
    },
    run: async (a) => {
      const { runDev } = await import("./dev.js");
      return runDev({ path: a.path, out: a.out, port: a.port, typecheck: a.typecheck, instances: a.instances, ...(a.log ? { log: a.log } : {}) });
    },
  }),
  command({
    name: "new",
    describe: "Start a project: a directory with a commented starter program, .gitignore, .env.example and a README",
    positionals: [{ name: "name", required: true, describe: "the directory to create (its name names the project)" }],
    options: {
      template: { type: "string", default: "api", choices: ["api", "fullstack", "services"], describe: "api: one server with a model; fullstack: server + client; services: two servers with discover and events" },
    },
    run: async (a) => {
      const { runNew } = await import("./new.js");
      return runNew({ name: a.name, template: a.template });
    },
  }),
  command({
    name: "deploy",
    describe: "Deploy to the server of a deploy block over ssh, or inspect and manage it there",
    positionals: [{ name: "env", describe: "the deploy block's name, e.g. prod" }],
    options: {
      path: { type: "string", default: ".", describe: "the .tova file or directory of the application" },
      plan: { type: "boolean", default: false, describe: "print what would be provisioned and which layers would run; change nothing" },
      rollback: { type: "boolean", default: false, describe: "make the release before the live one live again" },
      status: { type: "boolean", default: false, describe: "running instances, health, memory, releases" },
      logs: { type: "boolean", default: false, describe: "the app's logs (journalctl; followed at a terminal)" },
      since: { type: "string", describe: 'with --logs: from this time on, e.g. "1 hour ago"' },
      instance: { type: "string", describe: "with --logs: only instance N (1, 2, ...) or the instance on this port" },
      ssh: { type: "boolean", default: false, describe: "open a shell on the server in the app's directory" },
      remove: { type: "boolean", default: false, describe: "remove the app from the server (its data is archived)" },
      yes: { type: "boolean", default: false, describe: "with --remove: do not ask" },
      "setup-git": { type: "boolean", default: false, describe: "set up push-to-deploy for the block's branch" },
      list: { type: "boolean", default: false, describe: "list every app on --server" },
      server: { type: "string", describe: "with --list: the ssh target" },
      host: { type: "string", describe: "only this one of the deploy block's hosts (`server:` as a list)" },
      local: { type: "boolean", default: false, hidden: true, describe: "run on this machine (the git hook on the server)" },
    },
    run: async (a) => {
      const modes = (["plan", "rollback", "status", "logs", "ssh", "remove", "setupGit", "list"] as const).filter((m) => a[m]);
      if (modes.length > 1) throw new UsageError(`use one of --${modes.map((m) => m.replace("setupGit", "setup-git")).join(", --")} at a time`);
      if (a.list || a.status || a.logs || a.ssh || a.remove || a.setupGit) {
        const { runDeployOp } = await import("./deploy-ops.js");
        return runDeployOp({ env: a.env, path: a.path, status: a.status, logs: a.logs, since: a.since, instance: a.instance, ssh: a.ssh, remove: a.remove, yes: a.yes, setupGit: a.setupGit, list: a.list, server: a.server, host: a.host });
      }
      if (!a.env) throw new UsageError("name the deploy block: tova deploy <env> (or tova deploy --list --server <target>)");
      const { runDeploy } = await import("./deploy.js");
      return runDeploy({ env: a.env, path: a.path, plan: a.plan, rollback: a.rollback, local: a.local, host: a.host });
    },
  }),
  command({
    name: "env",
    describe: "The secrets of a deploy target: `list` (names only) or `set KEY=value`",
    positionals: [
      { name: "env", required: true, describe: "the deploy block's name" },
      { name: "action", required: true, choices: ["list", "set"], describe: "list the names, or set one" },
      { name: "assignment", describe: "KEY=value, for set" },
    ],
    options: {
      path: { type: "string", default: ".", describe: "the .tova file or directory of the application" },
      host: { type: "string", describe: "only this one of the deploy block's hosts (by default: every host)" },
    },
    run: async (a) => {
      const { runEnv } = await import("./env.js");
      return runEnv({ env: a.env, action: a.action, assignment: a.assignment, path: a.path, host: a.host });
    },
  }),
  command({
    name: "run",
    describe: "Build, then run the program's default server (or its shared block as a script) with Bun",
    positionals: [{ ...PATH, describe: "a .tova file, or a directory" }],
    options: BUILD_OPTIONS,
    run: async (a) => {
      const { runRun } = await import("./run.js");
      return runRun({ path: a.path, out: a.out, port: a.port, typecheck: a.typecheck });
    },
  }),
];

/** `--instances` is a small whole number. */
function instances(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--instances must be a whole number from 1 to 16, got "${value}"`);
  return n;
}

/** `--port` must be a usable TCP port (decisions.md, "Ports"). */
function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port must be an integer between 1 and 65535, got "${value}"`);
  return n;
}

/** The version in package.json: two levels up from dist/cli/ (main.js, or the bundle beside it), one from cli/main.ts. */
function packageVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tova" && pkg.version) return pkg.version;
    } catch {
      // Not there; try the next candidate.
    }
  }
  return "unknown";
}

// `tova check app.tova | head -3`: when the reader of the output goes away, stop quietly, as other
// command-line tools do, rather than print Node's stack for the EPIPE of the next write. The status is
// the one the command had set, else 141 (a shell's for a process ended by SIGPIPE, as `git log | head`
// ends): the command did not finish, so it does not claim success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" && process.exitCode !== 0 ? process.exitCode : 141);
    throw error;
  });
}

runCommandLine(
  {
    name: "tova",
    version: packageVersion,
    commands: COMMANDS,
    noCommand: "name a command: tova check <path>, tova build <path>, tova run <path> or tova dev <path>",
  },
  process.argv.slice(2),
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`tova: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `tova: internal error: ${error instanceof Error ? error.message : String(error)}\n` +
        "This is a bug in Tova. Please report it with the input that caused it and the details below.\n\n" +
        detail +
        "\n",
    );
    process.exitCode = EXIT.internal;
  },
);
