import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { portFree } from "./server/harness.js";

/** `tova dev --instances N` (scale-out.md): N processes of each block on one machine, peers going round robin over them. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const PROGRAM = `server "api" {
  discover "worker" at "http://localhost:3999"
  fn who() { { by: worker.whoami() } }
  route GET "/who" => who
}

server "worker" {
  fn whoami() -> String { env("PORT_WORKER") ?? "?" }
}
`;

let dir: string;
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A first port whose neighbour and the two 1000 above them are free (where `--instances 2` puts the second of each block). */
async function freeRun(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (const p of [base, base + 1, base + 1000, base + 1001]) ok &&= await portFree(p);
    if (ok) return base;
  }
}

describe("tova dev --instances 2", () => {
  it("runs two processes of each block, and the api's calls reach both workers", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tova-dev-instances-"));
    writeFileSync(path.join(dir, "app.tova"), PROGRAM);
    const base = await freeRun();
    let output = "";
    dev = spawn(process.execPath, [CLI, "dev", "app.tova", "--port", String(base), "--instances", "2", "--no-typecheck"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    dev.stdout!.on("data", (d: Buffer) => (output += d));
    dev.stderr!.on("data", (d: Buffer) => (output += d));
    // Every process up first (the processes start side by side): until then a refused worker is rightly skipped.
    for (const port of [base, base + 1, base + 1000, base + 1001]) {
      for (let i = 0; i < 200; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (up) break;
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    const answers: string[] = [];
    for (let i = 0; i < 200 && answers.length < 4; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${base}/who`);
        if (r.ok) answers.push(((await r.json()) as { by: string }).by);
        else await new Promise((res) => setTimeout(res, 100));
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    expect(output).toContain("4 server process(es) running");
    expect(output).toContain(`server:worker#2 on port ${base + 1001}`);
    expect(new Set(answers)).toEqual(new Set([String(base + 1), String(base + 1001)]));
  }, 60_000);

  it("refuses a count that is not a small whole number", async () => {
    const r = spawn(process.execPath, [CLI, "dev", "app.tova", "--instances", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    r.stderr!.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((res) => r.on("exit", res));
    expect(code).toBe(2);
    expect(err).toContain("--instances must be a whole number from 1 to 16");
  });
});
