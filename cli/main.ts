#!/usr/bin/env node
import { readFileSync } from "node:fs";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { EXIT, UsageError } from "./errors.js";

/**
 * The `tova` command. Each command lives in its own file and returns an exit
 * code; this file only wires yargs and turns failures into exit codes:
 * a `UsageError` is one line and exit 2, anything else is a Tova bug.
 */
async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  await yargs(argv)
    .scriptName("tova")
    .usage("$0 <command> [options]")
    .command(
      "check <path>",
      "Check a .tova file or a directory of them; print diagnostics",
      (y) =>
        y
          .positional("path", { type: "string", demandOption: true, describe: "a .tova file, or a directory (every .tova file under it, recursively)" })
          .option("json", { type: "boolean", default: false, describe: "print the diagnostics as a JSON array, and nothing else" })
          .option("port", { type: "string", describe: "base port for servers without an explicit one (default 3000)", coerce: port }),
      async (a) => {
        const { runCheck } = await import("./check.js");
        code = await runCheck({ path: a.path, json: a.json, port: a.port });
      },
    )
    .command(
      "eject <path>",
      "Write a standalone TypeScript project on Bun that no longer needs Tova",
      (y) =>
        y
          .positional("path", { type: "string", demandOption: true, describe: "a .tova file, or a directory (every .tova file under it, recursively)" })
          .option("out", { type: "string", describe: "the project's directory: new or empty (default <stem>-ejected)" }),
      async (a) => {
        const { runEject } = await import("./eject.js");
        code = await runEject({ path: a.path, out: a.out });
      },
    )
    .command(
      "fmt [paths..]",
      "Rewrite .tova files in the canonical layout; --check only names the files that would change",
      (y) =>
        y
          .positional("paths", { type: "string", array: true, default: [] as string[], describe: ".tova files or directories (every .tova file under them)" })
          .option("check", { type: "boolean", default: false, describe: "change nothing; exit 1 naming each file that is not formatted" }),
      async (a) => {
        const { runFmt } = await import("./fmt.js");
        code = await runFmt({ paths: (a.paths ?? []).map(String), check: a.check });
      },
    )
    .command(
      "build <path>",
      "Compile a .tova file or directory to JavaScript for Bun (and more with --emit)",
      (y) =>
        y
          .positional("path", { type: "string", demandOption: true, describe: "a .tova file, or a directory (every .tova file under it, recursively)" })
          // Not `array: true`: that would swallow the path in `tova build --emit ir app.tova`.
          // Repeating the option (`--emit ir --emit ts`) or a comma list still names several.
          .option("emit", { type: "string", describe: "also write: `ts` (formatted TypeScript beside the .js), `ir` (<stem>.ir.json)" })
          .option("production", { type: "boolean", default: false, describe: "one minified, self-contained bundle per server and per client, into --out (default dist/)" })
          .option("quiet", { type: "boolean", default: false, describe: "plain lines for the steps, even at a terminal (as in CI)" })
          .options(BUILD_OPTIONS),
      async (a) => {
        if (a.production) {
          if (a.emit !== undefined) throw new UsageError("--production writes bundles only: leave out --emit");
          const { runProduction } = await import("./production.js");
          code = await runProduction({ path: a.path, out: a.out === ".tova-out" ? "dist" : a.out, port: a.port, typecheck: a.typecheck });
          return;
        }
        const { runBuild } = await import("./build.js");
        code = await runBuild({ path: a.path, emit: ([] as unknown[]).concat(a.emit ?? []).map(String), out: a.out, port: a.port, typecheck: a.typecheck, quiet: a.quiet });
      },
    )
    .command(
      "dev <path>",
      "Build, start every server block as its own Bun process, and rebuild and restart on every change",
      (y) =>
        y
          .positional("path", { type: "string", demandOption: true, describe: "a .tova file, or a directory" })
          .option("instances", { type: "string", default: "1", describe: "processes per server block (peers and events go round robin over them)", coerce: instances })
          .option("log", { type: "string", choices: ["pretty", "json"] as const, describe: "the servers' log lines: readable (the default at a terminal) or JSON lines" })
          .options(BUILD_OPTIONS),
      async (a) => {
        const { runDev } = await import("./dev.js");
        code = await runDev({ path: a.path, out: a.out, port: a.port, typecheck: a.typecheck, instances: a.instances, ...(a.log ? { log: a.log } : {}) });
      },
    )
    .command(
      "new <name>",
      "Start a project: a directory with a commented starter program, .gitignore, .env.example and a README",
      (y) =>
        y
          .positional("name", { type: "string", demandOption: true, describe: "the directory to create (its name names the project)" })
          .option("template", { type: "string", default: "api", choices: ["api", "fullstack", "services"] as const, describe: "api: one server with a model; fullstack: server + client; services: two servers with discover and events" }),
      async (a) => {
        const { runNew } = await import("./new.js");
        code = await runNew({ name: a.name, template: a.template });
      },
    )
    .command(
      "deploy [env]",
      "Deploy to the server of a deploy block over ssh, or inspect and manage it there",
      (y) =>
        y
          .positional("env", { type: "string", describe: "the deploy block's name, e.g. prod" })
          .option("path", { type: "string", default: ".", describe: "the .tova file or directory of the application" })
          .option("plan", { type: "boolean", default: false, describe: "print what would be provisioned and which layers would run; change nothing" })
          .option("rollback", { type: "boolean", default: false, describe: "make the release before the live one live again" })
          .option("status", { type: "boolean", default: false, describe: "running instances, health, memory, releases" })
          .option("logs", { type: "boolean", default: false, describe: "the app's logs (journalctl; followed at a terminal)" })
          .option("since", { type: "string", describe: "with --logs: from this time on, e.g. \"1 hour ago\"" })
          .option("instance", { type: "string", describe: "with --logs: only instance N (1, 2, ...) or the instance on this port" })
          .option("ssh", { type: "boolean", default: false, describe: "open a shell on the server in the app's directory" })
          .option("remove", { type: "boolean", default: false, describe: "remove the app from the server (its data is archived)" })
          .option("yes", { type: "boolean", default: false, describe: "with --remove: do not ask" })
          .option("setup-git", { type: "boolean", default: false, describe: "set up push-to-deploy for the block's branch" })
          .option("list", { type: "boolean", default: false, describe: "list every app on --server" })
          .option("server", { type: "string", describe: "with --list: the ssh target" })
          .option("host", { type: "string", describe: "only this one of the deploy block's hosts (`server:` as a list)" })
          .option("local", { type: "boolean", default: false, hidden: true, describe: "run on this machine (the git hook on the server)" }),
      async (a) => {
        const modes = (["plan", "rollback", "status", "logs", "ssh", "remove", "setupGit", "list"] as const).filter((m) => a[m]);
        if (modes.length > 1) throw new UsageError(`use one of --${modes.map((m) => m.replace("setupGit", "setup-git")).join(", --")} at a time`);
        if (a.list || a.status || a.logs || a.ssh || a.remove || a.setupGit) {
          const { runDeployOp } = await import("./deploy-ops.js");
          code = await runDeployOp({ env: a.env, path: a.path, status: a.status, logs: a.logs, since: a.since, instance: a.instance, ssh: a.ssh, remove: a.remove, yes: a.yes, setupGit: a.setupGit, list: a.list, server: a.server, host: a.host });
          return;
        }
        if (!a.env) throw new UsageError("name the deploy block: tova deploy <env> (or tova deploy --list --server <target>)");
        const { runDeploy } = await import("./deploy.js");
        code = await runDeploy({ env: a.env, path: a.path, plan: a.plan, rollback: a.rollback, local: a.local, host: a.host });
      },
    )
    .command(
      "env <env> <action> [assignment]",
      "The secrets of a deploy target: `list` (names only) or `set KEY=value`",
      (y) =>
        y
          .positional("env", { type: "string", demandOption: true, describe: "the deploy block's name" })
          .positional("action", { type: "string", demandOption: true, choices: ["list", "set"] })
          .positional("assignment", { type: "string", describe: "KEY=value, for set" })
          .option("path", { type: "string", default: ".", describe: "the .tova file or directory of the application" })
          .option("host", { type: "string", describe: "only this one of the deploy block's hosts (by default: every host)" }),
      async (a) => {
        const { runEnv } = await import("./env.js");
        code = await runEnv({ env: a.env, action: a.action, assignment: a.assignment, path: a.path, host: a.host });
      },
    )
    .command(
      "run <path>",
      "Build, then run the program's default server (or its shared block as a script) with Bun",
      (y) =>
        y
          .positional("path", { type: "string", demandOption: true, describe: "a .tova file, or a directory" })
          .options(BUILD_OPTIONS),
      async (a) => {
        const { runRun } = await import("./run.js");
        code = await runRun({ path: a.path, out: a.out, port: a.port, typecheck: a.typecheck });
      },
    )
    .demandCommand(1, "name a command: tova check <path>, tova build <path>, tova run <path> or tova dev <path>")
    .strict()
    .version(packageVersion())
    .alias("v", "version")
    .help()
    .alias("h", "help")
    .fail((message, error) => {
      // yargs reports its own validation (and wraps `coerce` failures) as a YError or a bare
      // message: those are usage mistakes. Errors thrown by command handlers pass through as they are.
      if (error && error.name !== "YError") throw error;
      let text = message ?? error?.message ?? "invalid command line";
      // yargs' wording for a command without its <path> says nothing about what is missing.
      if (text.startsWith("Not enough non-option arguments")) text = "missing <path>: a .tova file or a directory of them";
      throw new UsageError(`${text} (see \`tova --help\`)`);
    })
    .parseAsync();
  return code;
}

/** The options `build`, `run` and `dev` share. */
const BUILD_OPTIONS = {
  out: { type: "string", default: ".tova-out", describe: "output directory" },
  port: { type: "string", describe: "base port for servers without an explicit one (default 3000)", coerce: port },
  typecheck: { type: "boolean", default: true, describe: "type-check the emitted TypeScript (--no-typecheck skips it)" },
} as const;

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

/** The version in package.json: two levels up from dist/cli/main.js, one from cli/main.ts. */
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

main(hideBin(process.argv)).then(
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
