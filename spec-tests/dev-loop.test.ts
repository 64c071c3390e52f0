import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LogFormatter, useColour } from "../cli/log-format.js";
import { freePort } from "./server/harness.js";

/**
 * The development loop (issue 14): `tova dev` reads the program's `.env` and
 * `.env.local` (the shell's values win), shows each request as one readable
 * line or as the runtime's JSON line, honours NO_COLOR / FORCE_COLOR, and
 * says what changed and how long the rebuild took.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const PROGRAM = `
server {
  env GREETING: String
  env SOURCE: String = "default"

  fn hello() {
    { greeting: GREETING, source: SOURCE }
  }

  route GET "/hello" => hello
}
`;

const dirs: string[] = [];
let dev: ChildProcess | null = null;

afterEach(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));
  }
  dev = null;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startDev(args: string[], env: Record<string, string> = {}): Promise<{ dir: string; port: number; output: () => string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-devloop-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "app.tova"), PROGRAM);
  writeFileSync(path.join(dir, ".env"), "GREETING=hello from .env\nSOURCE=.env\n");
  writeFileSync(path.join(dir, ".env.local"), "SOURCE=.env.local\n");
  const port = await freePort();
  let out = "";
  const { NO_COLOR: _n, FORCE_COLOR: _f, GREETING: _g, SOURCE: _s, ...base } = process.env;
  dev = spawn(process.execPath, [CLI, "dev", "app.tova", "--port", String(port), "--no-typecheck", ...args], { cwd: dir, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  dev.stdout!.on("data", (d: Buffer) => (out += d));
  dev.stderr!.on("data", (d: Buffer) => (out += d));
  return { dir, port, output: () => out };
}

async function get(url: string): Promise<{ status: number; body: any }> {
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(url);
      return { status: r.status, body: await r.json() };
    } catch (err) {
      if (i > 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 200) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("tova dev", () => {
  it("gives the servers the program's .env, with .env.local over it and the shell over both", async () => {
    const first = await startDev([]);
    expect((await get(`http://127.0.0.1:${first.port}/hello`)).body).toEqual({ greeting: "hello from .env", source: ".env.local" });
    expect(first.output()).toContain("Environment: .env, .env.local");
    dev!.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));
    const shell = await startDev([], { SOURCE: "the shell" });
    expect((await get(`http://127.0.0.1:${shell.port}/hello`)).body).toEqual({ greeting: "hello from .env", source: "the shell" });
  }, 60_000);

  it("shows a request as one readable line with --log pretty, without colour under NO_COLOR, and as the JSON line otherwise", async () => {
    const pretty = await startDev(["--log", "pretty"], { NO_COLOR: "1" });
    await get(`http://127.0.0.1:${pretty.port}/hello`);
    await until("the request line", () => /GET \/hello 200/.test(pretty.output()));
    const line = pretty.output().split("\n").find((l) => l.includes("GET /hello 200"))!;
    expect(line).toMatch(/^ {2}\d\d:\d\d:\d\d\.\d{3} server GET \/hello 200 \d+(\.\d)?ms [0-9a-f]{8}$/);
    expect(pretty.output()).not.toContain("\u001b[");
    dev!.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));

    const json = await startDev([]); // not a terminal: JSON lines
    await get(`http://127.0.0.1:${json.port}/hello`);
    await until("the request line", () => /"msg":"request"/.test(json.output()));
    const raw = json.output().split("\n").find((l) => l.includes('"msg":"request"'))!;
    expect(raw.startsWith("  [server] {")).toBe(true);
    expect(JSON.parse(raw.slice("  [server] ".length))).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/hello", status: 200 });
  }, 60_000);

  it("says what changed and how long the rebuild took", async () => {
    const run = await startDev(["--log", "json"]);
    await get(`http://127.0.0.1:${run.port}/hello`);
    appendFileSync(path.join(run.dir, "app.tova"), "\n// an edit\n");
    await until("the rebuild is reported", () => /Rebuilt in \d+ ms/.test(run.output()));
    expect(run.output()).toMatch(/Changed: app\.tova; rebuilding\.\.\./);
  }, 60_000);

  it("stops, and leaves no server behind, when told to stop in the middle of a rebuild", async () => {
    // The rebuild used to go on after the stop and start the servers again: `tova dev` never exited.
    const run = await startDev(["--log", "json"]);
    await get(`http://127.0.0.1:${run.port}/hello`);
    appendFileSync(path.join(run.dir, "app.tova"), "\n// an edit\n");
    await until("the rebuild begins", () => run.output().includes("rebuilding..."));
    const child = dev!;
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 20_000))]);
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${run.port}/hello`)).rejects.toThrow();
  }, 60_000);
});

describe("readable log lines", () => {
  const line = JSON.stringify({ time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), level: "info", msg: "request", method: "POST", path: "/todos", status: 503, duration_ms: 12.34, request_id: "0123456789abcdef", user: "ada" });

  it("colour the status by its class and the block by its own colour when colours are on", () => {
    const out = new LogFormatter(true).format("server:api", line);
    expect(out).toContain("\u001b[31m503\u001b[39m"); // 5xx red
    expect(out).toContain("\u001b[36mapi\u001b[39m");
    expect(out).toContain("user=");
  });

  it("are plain without colours, and keep lines that are not log objects as they are", () => {
    const f = new LogFormatter(false);
    expect(f.format("server:api", line)).toBe("03:04:05.678 api POST /todos 503 12ms 01234567 user=ada");
    expect(f.format("server:api", "a print line {not json")).toBe("api a print line {not json");
    expect(f.format("server", JSON.stringify({ time: 0, level: "warn", msg: "slow", ms: 900 }))).toBe("00:00:00.000 server warn slow ms=900");
  });

  it("follow NO_COLOR and FORCE_COLOR before the terminal", () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: "0", NO_COLOR: "1" })).toBe(false);
  });
});
