import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../compile.js";
import { formatModule } from "../backends/typescript/format.js";
import { runEject } from "../cli/eject.js";
import { PACKAGE_ROOT } from "../cli/toolchain.js";
import { buildProgram, call, cleanDirs, freePort, start, stopAll, type Running } from "./server/harness.js";

/**
 * `tova eject` (issue 14, "What must show"): the monitoring application and
 * three programs of the corpus ejected into temporary directories. Each
 * ejected project gets a node_modules installed from its own package.json
 * (once per distinct set of dependencies, outside this package), type-checks
 * with its own `tsc --noEmit` run with nothing of this package on the path,
 * and is started with its own Bun: it answers the same requests as the
 * compiled program, with the same answers. Its code has no compiler markers
 * and its block modules are the `--emit ts` modules but for their imports.
 */

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const MARKER = /\/\*@(?:\d+:\d+|-)\*\//;
const RETRY_MS = 5_000;

interface Request {
  server?: string;
  method?: string;
  path?: string;
  body?: unknown;
  rpc?: string;
  args?: unknown[];
  json?: unknown;
  result?: unknown;
  retry?: boolean;
}

interface Program {
  name: string;
  /** The `.tova` file, and the directory its data files are in. */
  file: string;
  requests: Request[];
}

const corpus = (name: string): Program => {
  const dir = path.join(ROOT, "programs", name);
  const requests = readFileSync(path.join(dir, "requests.jsonl"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("//"))
    .map((l) => JSON.parse(l) as Request);
  return { name, file: path.join(dir, "app.tova"), requests };
};

// The monitoring service's requests that do not wait for its 30-second health checks (monitoring.test.ts checks those)
// and answer no clock (`/health` has the time and the uptime; the alerts depend on whether a check ran yet).
const MONITORING: Program = {
  name: "monitoring-service",
  file: path.join(ROOT, "..", "examples", "monitoring-service.tova"),
  requests: [
    { server: "api", method: "POST", path: "/api/metrics/ingest", body: { service: "billing", name: "queue_depth", value: 12, timestamp: "1700000000000", tags: ["queue", "prod"] } },
    { server: "api", method: "POST", path: "/api/metrics/ingest", body: { service: "billing", value: "lots" } },
    // Stored by the collector, which hears of the metric as an event from the api.
    { server: "api", path: "/api/metrics?service=billing", retry: true, json: [{ id: 1, service: "billing", name: "queue_depth", value: 12, timestamp: "1700000000000", tags: "queue,prod" }] },
    { server: "api", method: "POST", path: "/api/alerts/999999/resolve", body: {} },
  ],
};

const PROGRAMS: Program[] = [MONITORING, corpus("shop-servers"), corpus("task-models"), corpus("data-people")];

const work = mkdtempSync(path.join(os.tmpdir(), "tova-eject-"));
const installs = new Map<string, Promise<string>>();

afterAll(async () => {
  await stopAll();
  cleanDirs();
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command to its end; the environment has nothing of this package (no NODE_PATH, no node_modules/.bin of ours on PATH). */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  const PATH = (process.env["PATH"] ?? "")
    .split(path.delimiter)
    .filter((p) => p !== "" && !path.resolve(p).startsWith(PACKAGE_ROOT))
    .join(path.delimiter);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH };
  for (const k of Object.keys(env)) if (k === "NODE_PATH" || k.startsWith("npm_") || k.startsWith("VITEST")) delete env[k];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * A node_modules with exactly the ejected package.json's dependencies, installed by npm (from its cache when it can)
 * outside this package: once per distinct set, linked into each project that asks for that set.
 */
function installFor(project: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as Record<string, unknown>;
  const wanted = { dependencies: pkg["dependencies"], devDependencies: pkg["devDependencies"], allowScripts: pkg["allowScripts"] };
  const key = createHash("sha256").update(JSON.stringify(wanted)).digest("hex").slice(0, 12);
  let install = installs.get(key);
  if (!install) {
    install = (async () => {
      const dir = path.join(work, `deps-${key}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "deps", private: true, ...wanted }));
      const r = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir, 240_000);
      if (r.code !== 0) throw new Error(`npm install failed:\n${r.out}`);
      return path.join(dir, "node_modules");
    })();
    installs.set(key, install);
  }
  return install;
}

function filesUnder(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const r = path.join(rel, name);
    if (name === "node_modules") return [];
    return statSync(path.join(dir, r)).isDirectory() ? filesUnder(dir, r) : [r];
  });
}

const portEnv = (name: string | null) => (name === null ? "PORT" : `PORT_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`);

/** Every server of the program, each on a free port and told every server's port, with one application key. */
async function startServers(names: (string | null)[], fileOf: (block: string | null) => string, options: { cwd: (file: string) => string; bun?: string }): Promise<Map<string | null, Running>> {
  const ports = new Map<string | null, number>();
  for (const n of names) ports.set(n, await freePort());
  const env: Record<string, string> = { TOVA_APP_KEY: randomBytes(32).toString("hex") };
  for (const [n, p] of ports) env[portEnv(n)] = String(p);
  const started = await Promise.all(names.map((n) => start(fileOf(n), { port: ports.get(n)!, portEnv: portEnv(n), env, cwd: options.cwd(fileOf(n)), ...(options.bun ? { bun: options.bun } : {}) })));
  return new Map(names.map((n, i) => [n, started[i]!]));
}

/** The answer to each request in order; a `retry` request is asked again (up to 5 s) until its body is its `json`. */
async function answers(requests: readonly Request[], servers: Map<string | null, Running>): Promise<{ status: number; body: unknown }[]> {
  const out = [];
  for (const r of requests) {
    const server = servers.get(r.server ?? null)!;
    const ask = () =>
      r.rpc !== undefined
        ? call(`${server.url}/rpc/${r.rpc}`, { json: { __args: r.args ?? [] } })
        : call(`${server.url}${r.path}`, r.body === undefined ? { method: r.method ?? "GET" } : { method: r.method ?? "GET", json: r.body });
    const deadline = Date.now() + (r.retry ? RETRY_MS : 0);
    let got = await ask();
    while (r.retry && JSON.stringify(got.body) !== JSON.stringify(r.json) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      got = await ask();
    }
    out.push({ status: got.status, body: got.body });
  }
  return out;
}

/** A module's text after its imports: what the block does, which eject must leave as `--emit ts` wrote it. */
const body = (code: string) => code.replace(/^(?:import [^;]*;\n)+\n*/, "");

// Every program is ejected and given its node_modules from the start, so later ones are ready when their turn comes.
const ejected = new Map(
  PROGRAMS.map((p) => {
    const out = path.join(work, p.name);
    const done = runEject({ path: p.file, out }).then(async (code) => {
      if (code === 0) symlinkSync(await installFor(out), path.join(out, "node_modules"), "dir");
      return code;
    });
    done.catch(() => {}); // awaited (and reported) by the program's own tests
    return [p.name, done] as const;
  }),
);

describe.each(PROGRAMS.map((p) => [p.name, p] as const))("tova eject %s", (_, program) => {
  const out = path.join(work, program.name);
  const source = readFileSync(program.file, "utf8");
  const stem = path.basename(program.file, ".tova");
  let code: number | undefined;

  beforeAll(async () => {
    code = await ejected.get(program.name)!;
  }, 300_000);

  it("writes the project", () => {
    expect(code).toBe(0);
    const files = filesUnder(out);
    expect(files).toEqual(expect.arrayContaining(["package.json", "tsconfig.json", "README.md", ".env.example", path.join("src", `${stem}.shared.ts`), path.join("src", "runtime", "server", "index.ts")]));
    expect(files.some((f) => f.endsWith(".test.ts") || f.includes(`${path.sep}testing${path.sep}`))).toBe(false);
    const servers = compile([{ path: program.file, text: source }], { stem, emit: [] }).servers;
    const pkg = JSON.parse(readFileSync(path.join(out, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(["typecheck", "start", "dev", ...servers.flatMap((s) => (s.name === null ? [] : [`start:${s.name}`]))]));
    expect(pkg.dependencies).toMatchObject({ bun: expect.any(String), hono: expect.any(String) });
    if (servers.length > 1) expect(readFileSync(path.join(out, ".env"), "utf8")).toMatch(/^TOVA_APP_KEY=[0-9a-f]{64}$/m);
  });

  it("has no compiler markers and never names this package, and its blocks read as --emit ts wrote them", async () => {
    for (const f of filesUnder(out)) {
      const text = readFileSync(path.join(out, f), "utf8");
      expect(MARKER.test(text), f).toBe(false);
      expect(text.includes(PACKAGE_ROOT), f).toBe(false);
    }
    const result = compile([{ path: program.file, text: source }], { stem, emit: ["ts"] });
    for (const m of result.modules) {
      const emitted = await formatModule(m.code);
      const mine = readFileSync(path.join(out, "src", m.path), "utf8");
      expect(body(mine), m.path).toBe(body(emitted));
      if (m.code.includes('"./runtime/')) expect(mine).toMatch(/from "\.\/runtime\/[a-z]+\/index\.js"/);
    }
  });

  it("type-checks with its own tsc, nothing of this package on the path", async () => {
    const r = await run("npx", ["--no-install", "tsc", "--noEmit", "--listFiles"], out);
    expect(r.code, r.out).toBe(0);
    const checked = r.out.split("\n").filter((l) => l.trim() !== "");
    expect(checked.some((f) => f.startsWith(path.join(out, "src")) || f.includes(`${path.basename(out)}/src/`))).toBe(true);
    expect(checked.filter((f) => f.startsWith(PACKAGE_ROOT))).toEqual([]);
  }, 120_000);

  it("answers the requests as the compiled program does, run with bun run", async () => {
    const result = compile([{ path: program.file, text: source }], { stem, emit: ["ts"] });
    const names = result.servers.map((s) => s.name);
    const built = await buildProgram(source, stem);
    for (const f of readdirSync(path.dirname(program.file))) {
      if (/\.(json|csv)$/.test(f)) copyFileSync(path.join(path.dirname(program.file), f), path.join(built.dir, f));
    }
    const compiled = await startServers(names, (n) => built.file("server", n), { cwd: () => built.dir });
    const expected = await answers(program.requests, compiled);
    await Promise.all([...compiled.values()].map((s) => s.stop()));
    const bun = path.join(out, "node_modules", ".bin", "bun");
    expect(existsSync(bun)).toBe(true);
    const mine = await startServers(names, (n) => path.join(out, "src", result.modules.find((m) => m.kind === "server" && m.block === n)!.path), { cwd: () => out, bun });
    const got = await answers(program.requests, mine);
    await Promise.all([...mine.values()].map((s) => s.stop()));
    expect(got).toEqual(expected);
    // The same answers, and the right ones: the corpus's expectations hold for both.
    program.requests.forEach((r, i) => {
      const json = r.rpc !== undefined && "result" in r ? { result: r.result } : r.json;
      if (json !== undefined) expect(got[i]!.body, JSON.stringify(r)).toEqual(json);
    });
  }, 120_000);
});

describe("tova eject, without running anything", () => {
  it("carries `///` doc comments over as TSDoc on the declarations they document", async () => {
    const source = ["/// A user of the shop.", "/// Has a name.", "type User { id: Int, name: String }", "", "/// Adds two numbers.", "fn add(a: Int, b: Int) -> Int { a + b }", "", "// not a doc comment", "fn sub(a: Int, b: Int) -> Int { a - b }", ""].join("\n");
    const file = path.join(work, "docs", "docs.tova");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, source);
    expect(await runEject({ path: file, out: path.join(work, "docs-out") })).toBe(0);
    const shared = readFileSync(path.join(work, "docs-out", "src", "docs.shared.ts"), "utf8");
    expect(shared).toContain("/**\n * A user of the shop.\n * Has a name.\n */\nexport interface User {");
    expect(shared).toContain("/** Adds two numbers. */\nexport function add(");
    expect(shared).toMatch(/\n\nexport function sub\(/);
  }, 60_000);

  it("refuses an --out directory that has anything in it, and leaves it as it was", async () => {
    const out = path.join(work, "taken");
    mkdirSync(out);
    writeFileSync(path.join(out, "mine.txt"), "keep");
    await expect(runEject({ path: MONITORING.file, out })).rejects.toThrow(/is not empty/);
    expect(readdirSync(out)).toEqual(["mine.txt"]);
  });
});
