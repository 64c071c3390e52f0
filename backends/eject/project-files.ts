import type { EnvDeclaration } from "./facts.js";

/**
 * The files around the code of an ejected project (issue 14): package.json,
 * a strict tsconfig.json, .env.example and the README. Plain renderers from
 * what the eject found; nothing here reads the disk.
 */

export interface ServerEntry {
  /** The block's name; null for the default `server { }`. */
  block: string | null;
  /** `src/app.server.api.ts`. */
  file: string;
  port: number;
  portEnv: string;
}

export interface ProjectFacts {
  stem: string;
  servers: readonly ServerEntry[];
  /** The entry of a program without servers: its shared module, run as a script. */
  script: string;
  /** The client blocks' modules (`src/app.client.ts`): built for the browser beside themselves, where the server serving the pages looks. */
  clients: readonly string[];
  /** Every dependency with its version: the program's npm imports and what the vendored runtime imports. */
  dependencies: Record<string, string>;
  /** TypeScript, Bun's types. */
  devDependencies: Record<string, string>;
  env: readonly EnvDeclaration[];
  /** The program's npm imports that no package.json beside the program gave a version for. */
  unpinned: readonly string[];
  dataFiles: readonly string[];
}

export function packageJson(f: ProjectFacts): string {
  const scripts: Record<string, string> = { typecheck: "tsc --noEmit" };
  const main = defaultServer(f.servers);
  // The server that serves the client pages (runtime/server/client-files.ts) reads the built client modules at start.
  const built = (s: ServerEntry | undefined) => (s === main && f.clients.length ? "bun run build:client && " : "");
  if (f.clients.length) scripts["build:client"] = f.clients.map((c) => `bun build ${c} ${clientBuildFlags(c)}`).join(" && ");
  scripts["start"] = `${built(main)}bun run ${main?.file ?? f.script}`;
  for (const s of f.servers) if (s.block !== null) scripts[`start:${s.block}`] = `${built(s)}bun run ${s.file}`;
  // Every server restarts on a change to any file it imports; with several, they run side by side as `tova dev` ran them.
  const watchers = [...f.clients.map((c) => `bun build ${c} ${clientBuildFlags(c)} --watch`), ...(f.servers.length ? f.servers.map((s) => `bun --watch run ${s.file}`) : [`bun --watch run ${f.script}`])];
  scripts["dev"] = watchers.length > 1 ? `${watchers.join(" & ")} & wait` : watchers[0]!;
  const pkg = {
    name: npmName(f.stem),
    version: "0.1.0",
    private: true,
    type: "module",
    scripts,
    dependencies: sorted(f.dependencies),
    devDependencies: sorted(f.devDependencies),
    // Bun's npm package installs its binary with an install script (npm 11 asks for it to be allowed).
    allowScripts: { bun: true },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function clientBuildFlags(client: string): string {
  return `--target=browser --format=esm --outfile=${clientBundle(client)}`;
}

/** `src/app.client.ts` → `src/app.client.js`, the name the server's page loads. */
export function clientBundle(client: string): string {
  return client.replace(/\.ts$/, ".js");
}

/** The default server, or the first named one when there is none (as `tova run` and the client pages pick). */
function defaultServer(servers: readonly ServerEntry[]): ServerEntry | undefined {
  return servers.find((s) => s.block === null) ?? servers[0];
}

/** The settings the emitted code is checked with by `tova build` (cli/toolchain.ts), plus the runtime's own. */
export function tsconfigJson(): string {
  const config = {
    compilerOptions: {
      target: "es2022",
      lib: ["es2023", "dom", "dom.iterable"],
      module: "esnext",
      moduleResolution: "bundler",
      types: ["bun"],
      strict: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ["src"],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function envExample(f: ProjectFacts): string {
  const lines = ["# The environment variables the program reads. Bun loads .env at start-up; a value already in the environment wins.", ""];
  if (f.servers.length) {
    lines.push("# The port of each server; a peer is found at http://localhost:<its port> unless URL_<NAME> says otherwise.");
    for (const s of f.servers) lines.push(`${s.portEnv}=${s.port}`);
    lines.push("");
  }
  if (f.servers.length > 1) {
    lines.push("# The key the servers sign their calls and events to each other with: the same for all of them,", "# at least 32 characters (`openssl rand -hex 32`). Unset, each server makes up its own and accepts only itself.", "# The .env written with this project has one.", "# TOVA_APP_KEY=", "");
  }
  const seen = new Set<string>();
  const declared = f.env.filter((e) => !seen.has(e.name) && !/^PORT(_|$)/.test(e.name) && seen.add(e.name));
  if (declared.length) {
    lines.push("# Declared by the program (`env` statements), with their defaults.");
    for (const e of declared) {
      // An Option left unset is None; an empty value would be Some("").
      if (e.default === "null" || (e.default === null && e.type.startsWith("t.option("))) lines.push(`# ${e.name}=`);
      else if (e.default === null) lines.push("# required:", `${e.name}=`);
      else lines.push(`${e.name}=${envValue(e.default)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** A default's source text as a .env value: string literals unquoted, the rest as written. */
function envValue(text: string): string {
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) {
    const value = JSON.parse(text) as string;
    return /[\s#"'$]/.test(value) ? JSON.stringify(value) : value;
  }
  if (text.startsWith("[")) return text.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim().replace(/^"|"$/g, "")).join(",");
  return text;
}

export function readme(f: ProjectFacts): string {
  const main = defaultServer(f.servers);
  const packages = Object.keys(f.dependencies).filter((d) => d !== "bun");
  const out: string[] = [`# ${f.stem}`, ""];
  out.push(
    "A TypeScript project on [Bun](https://bun.sh), ejected from a Tova program: the code is yours now, and nothing",
    "here needs Tova. `src/` has one module per block of the program; the runtime they use is readable TypeScript",
    `under \`src/runtime/\`${packages.length ? `, on ${packages.map((p) => `\`${p}\``).join(", ")}` : ""}.`,
    "",
  );
  out.push("## Run", "", "```sh", cmd("npm install", "Bun comes with it"));
  if (main) {
    out.push(cmd("npm start", `${main.block === null ? "the server" : `the "${main.block}" server`} on port ${main.port}`));
    for (const s of f.servers) if (s !== main && s.block !== null) out.push(cmd(`npm run start:${s.block}`, `the "${s.block}" server on port ${s.port}`));
    out.push(cmd("npm run dev", `${f.servers.length > 1 ? "every server" : "the server"}, restarted on every change (bun --watch)`));
  } else {
    out.push(cmd("npm start", "runs the program"), cmd("npm run dev", "again on every change (bun --watch)"));
  }
  out.push("```", "");
  out.push("`.env.example` lists the environment variables the program reads, with their defaults; Bun loads `.env`", "at start-up (a value already in the environment wins).");
  if (f.servers.length > 1) {
    out.push(
      "Each server is its own process. They find each other at `http://localhost:<port>` (`PORT_<NAME>`, or a whole",
      "URL in `URL_<NAME>`) and sign what they send each other with one `TOVA_APP_KEY`: the `.env` written with this",
      "project (not in git) has one made for it; every deployment needs its own.",
    );
  }
  out.push("");
  if (f.clients.length) out.push("The client pages are bundled for the browser (`npm run build:client`, run by the start scripts) into", f.clients.map((c) => `\`${clientBundle(c)}\``).join(", ") + ", which the server serves at `/`; they are build output, not sources.", "");
  if (f.dataFiles.length) out.push(`Data files are read from the working directory: ${f.dataFiles.map((d) => `\`${d}\``).join(", ")}.`, "");
  if (f.unpinned.length) out.push(`The program imports ${f.unpinned.map((d) => `\`${d}\``).join(", ")}; no package.json beside it gave a version, so \`package.json\` asks for any (\`*\`): pin one.`, "");
  out.push("## Test", "", "```sh", cmd("npm run typecheck", "tsc --noEmit, strict"), cmd("bun test", "runs *.test.ts files; write them with `bun:test`"), "```", "");
  if (main) out.push(`A running server answers \`GET /healthz\` (\`curl http://localhost:${main.port}/healthz\`).`, "");
  out.push("## Deploy", "", "Copy the project, with the `package-lock.json` that `npm install` wrote, to a host with Node and npm; then:", "", "```sh", cmd("npm ci --omit=dev", "Bun is a dependency, TypeScript is not"));
  if (f.servers.length > 1) for (const s of f.servers) out.push(cmd(s.block === null ? "npm start" : `npm run start:${s.block}`, "one service per server (systemd or another supervisor)"));
  else out.push(cmd("npm start", main ? "keep it running with systemd or another supervisor" : "runs the program"));
  out.push("```", "");
  out.push("Set the variables of `.env.example` in the service's environment (or a `.env` beside `package.json`).");
  if (f.servers.length) out.push("`TOVA_DATA_DIR` makes relative database and data file paths resolve inside that directory, which should outlive", "each release. Put a reverse proxy (Caddy, nginx) with TLS in front of the public server.");
  out.push("");
  return out.join("\n");
}

/** A command line of a README code block with its comment in one column. */
function cmd(command: string, comment: string): string {
  return `${command.padEnd(27)} # ${comment}`;
}

/** `.env` for a program with several servers: the key they share, made for this project (cli/app-key.ts). */
export function envFile(appKey: string): string {
  return ["# Made by tova eject for this project; not in git. Every deployment needs a key of its own.", `TOVA_APP_KEY=${appKey}`, ""].join("\n");
}

function npmName(stem: string): string {
  const name = stem.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "");
  return name || "app";
}

function sorted(deps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : 1)));
}
