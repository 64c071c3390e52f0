import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUN_PATH } from "../cli/toolchain.js";
import { havePostgres, startPostgres, stopPostgres, type Postgres } from "../runtime/testing/postgres.js";
import { buildProgram, call, cleanDirs, freePort, start, stopAll, type Built, type Running } from "./server/harness.js";

/**
 * The corpus of spec-tests/programs/ (issue 9, "What must show"): programs
 * written the way users write them from language.md and the feature pages.
 * Each is built once exactly like `tova build` (type-check on), then either
 * its servers answer the requests of requests.jsonl, or its shared module,
 * run with Bun, prints expected.stdout. The expected answers come from the
 * spec (decisions.md "Semantics programs rely on"), not from the compiler.
 * The file formats are described in programs/README.md. A program with
 * models runs a second time with its `db` block switched to PostgreSQL
 * (issue 11: "Model definitions and queries stay the same"), answering the
 * same requests from a database of its own.
 */

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "programs");
const OWN_FILES = new Set(["app.tova", "requests.jsonl", "expected.stdout", "README.md"]);
const SCRIPT_TIMEOUT_MS = 15_000;
const RETRY_MS = 5_000;

interface Request {
  line: number;
  server?: string;
  method?: string;
  path?: string;
  body?: unknown;
  rpc?: string;
  args?: unknown[];
  result?: unknown;
  status?: number | string;
  json?: unknown;
  partial?: unknown;
  contains?: string;
  headers?: Record<string, string>;
  retry?: boolean;
}

function readRequests(file: string): Request[] {
  const out: Request[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const line = text.trim();
      if (line === "" || line.startsWith("//")) return;
      try {
        out.push({ ...JSON.parse(line), line: i + 1 });
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not a JSON object: ${(e as Error).message}`);
      }
    });
  return out;
}

const SQL_DB = /^([ \t]*)db \{[^}\n]*\}/m;

interface Variant {
  /** The test's name: the program's directory, with " on PostgreSQL" for the second run. */
  name: string;
  dir: string;
  source: string;
  postgres: boolean;
}

const variants: Variant[] = readdirSync(ROOT)
  .filter((d) => statSync(path.join(ROOT, d)).isDirectory() && existsSync(path.join(ROOT, d, "app.tova")))
  .sort()
  .flatMap((name) => {
    const dir = path.join(ROOT, name);
    const source = readFileSync(path.join(dir, "app.tova"), "utf8");
    const own: Variant = { name, dir, source, postgres: false };
    const onPostgres = /^\s*model\s/m.test(source) && SQL_DB.test(source) && existsSync(path.join(dir, "requests.jsonl"));
    if (!onPostgres || !havePostgres()) return [own];
    return [own, { name: `${name} on PostgreSQL`, dir, source: source.replace(SQL_DB, '$1db { adapter: "postgres" }'), postgres: true }];
  });

// One PostgreSQL server for the file, a database of its own for each program.
let pg: Promise<Postgres> | undefined;
let databases = 0;
async function databaseUrl(): Promise<string> {
  pg ??= startPostgres();
  return (await pg).database(`corpus_${++databases}`);
}

// Builds run two at a time from the start, so later programs are ready when their turn comes.
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
const builds = new Map<string, Promise<Built>>();
for (const v of variants) {
  const p = limited(() => buildProgram(v.source, "app"));
  p.catch(() => {}); // awaited (and reported) by the program's own test
  builds.set(v.name, p);
}

afterAll(async () => {
  await stopAll();
  cleanDirs();
  stopPostgres();
});

/** Server modules in the build: `app.server.js` (default, null) and `app.server.<name>.js`. */
function serversOf(built: Built): (string | null)[] {
  return readdirSync(built.dir)
    .map((f) => /^app\.server(?:\.(.+))?\.js$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1] ?? null);
}

const portEnv = (name: string | null) => (name === null ? "PORT" : `PORT_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`);

/** Every server as `tova dev` runs it: its own process, each told every server's port. */
async function startAll(built: Built, extraEnv: Record<string, string>): Promise<Map<string | null, Running>> {
  const names = serversOf(built);
  const ports = new Map<string | null, number>();
  for (const n of names) ports.set(n, await freePort());
  // One application key for all of its servers, as `tova dev` gives them (security.md, "Between the application's own servers").
  const env: Record<string, string> = { TOVA_APP_KEY: randomBytes(32).toString("hex"), ...extraEnv };
  for (const [n, p] of ports) env[portEnv(n)] = String(p);
  const started = await Promise.all(names.map((n) => start(built.file("server", n), { port: ports.get(n)!, portEnv: portEnv(n), env })));
  return new Map(names.map((n, i) => [n, started[i]!]));
}

function statusMatches(expected: number | string | undefined, actual: number): boolean {
  if (expected === undefined) return actual === 200;
  if (typeof expected === "number") return actual === expected;
  return expected.split("/").some((cls) => String(actual)[0] === cls[0] && /^\dxx$/.test(cls));
}

async function perform(r: Request, servers: Map<string | null, Running>) {
  const server = servers.get(r.server ?? null);
  if (!server) throw new Error(`line ${r.line}: no server ${r.server ?? "(default)"} in this program (${[...servers.keys()].join(", ")})`);
  if (r.rpc !== undefined) return call(`${server.url}/rpc/${r.rpc}`, { json: { __args: r.args ?? [] } });
  const method = r.method ?? "GET";
  return call(`${server.url}${r.path}`, r.body === undefined ? { method } : { method, json: r.body });
}

/** Every check of the request line against the answer; an empty list when it matches. */
function mismatches(r: Request, got: { status: number; body: any; headers: Headers }): string[] {
  const out: string[] = [];
  const json = r.rpc !== undefined && "result" in r ? { result: r.result } : r.json;
  if (!statusMatches(r.status, got.status)) out.push(`status ${got.status}, expected ${r.status ?? 200}`);
  if (json !== undefined && !equal(got.body, json)) out.push(`body ${JSON.stringify(got.body)}, expected ${JSON.stringify(json)}`);
  if (r.partial !== undefined && !contains(got.body, r.partial)) out.push(`body ${JSON.stringify(got.body)}, expected it to include ${JSON.stringify(r.partial)}`);
  const text = typeof got.body === "string" ? got.body : JSON.stringify(got.body);
  if (r.contains !== undefined && !text.includes(r.contains)) out.push(`body ${text}, expected it to contain ${JSON.stringify(r.contains)}`);
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    if (got.headers.get(k) !== v) out.push(`header ${k}: ${got.headers.get(k)}, expected ${v}`);
  }
  return out;
}

function equal(a: unknown, b: unknown): boolean {
  try {
    expect(a).toStrictEqual(b);
    return true;
  } catch {
    return false;
  }
}

function contains(a: unknown, b: unknown): boolean {
  try {
    expect(a).toMatchObject(b as object);
    return true;
  } catch {
    return false;
  }
}

function runScript(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(BUN_PATH, ["run", file], { cwd: path.dirname(file), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${SCRIPT_TIMEOUT_MS / 1000} s)`;
      child.kill("SIGKILL");
    }, SCRIPT_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const tail = (s: string) => (s.length > 2000 ? "..." + s.slice(-2000) : s);
// The runtime logs every request as a JSON line; a failure shows the rest of the output.
const unlogged = (s: string) => s.split("\n").filter((l) => !l.includes('"msg":"request"')).join("\n");

for (const { name, dir, postgres } of variants) {
  const requestsFile = path.join(dir, "requests.jsonl");
  const stdoutFile = path.join(dir, "expected.stdout");

  describe(name, () => {
    let built: Built | undefined;
    let buildError: unknown;
    let servers: Map<string | null, Running> | undefined;
    let startError: unknown;

    beforeAll(async () => {
      try {
        built = await builds.get(name)!;
      } catch (e) {
        buildError = e;
        return;
      }
      // Data files the program reads (e.g. a JSON source of a data block) sit beside it.
      for (const f of readdirSync(dir)) if (!OWN_FILES.has(f)) copyFileSync(path.join(dir, f), path.join(built.dir, f));
      if (existsSync(requestsFile)) {
        try {
          servers = await startAll(built, postgres ? { DATABASE_URL: await databaseUrl() } : {});
        } catch (e) {
          startError = e;
        }
      }
    }, 240_000);

    afterAll(async () => {
      for (const s of servers?.values() ?? []) await s.stop();
      if (built) rmSync(built.dir, { recursive: true, force: true });
    });

    it("builds with the type-check on", () => {
      if (buildError) throw buildError;
    });

    if (existsSync(stdoutFile) && !postgres) {
      it("prints expected.stdout", async (ctx) => {
        if (!built) return ctx.skip();
        const got = await runScript(built.file("shared"));
        expect(got.stdout, `stderr:\n${tail(got.stderr)}`).toBe(readFileSync(stdoutFile, "utf8"));
        expect(got.code, `stderr:\n${tail(got.stderr)}`).toBe(0);
      }, 30_000);
    }

    if (existsSync(requestsFile)) {
      it("starts its servers", () => {
        if (buildError) return;
        if (startError) throw startError;
        expect(servers?.size).toBeGreaterThan(0);
      });

      for (const r of readRequests(requestsFile)) {
        const label = r.rpc !== undefined ? `rpc ${r.rpc}(${JSON.stringify(r.args ?? []).slice(1, -1)})` : `${r.method ?? "GET"} ${r.path}`;
        it(`line ${r.line}: ${r.server ? `[${r.server}] ` : ""}${label}`, async (ctx) => {
          if (!servers) return ctx.skip();
          const deadline = Date.now() + (r.retry ? RETRY_MS : 0);
          for (;;) {
            const got = await perform(r, servers);
            const wrong = mismatches(r, got);
            if (wrong.length === 0) return;
            if (Date.now() >= deadline) {
              const output = [...servers].map(([n, s]) => `--- ${n ?? "default"} server output:\n${tail(unlogged(s.output()))}`).join("\n");
              throw new Error(`requests.jsonl:${r.line}: ${wrong.join("; ")}\n${output}`);
            }
            await new Promise((res) => setTimeout(res, 100));
          }
        }, RETRY_MS + 20_000);
      }
    }
  });
}
