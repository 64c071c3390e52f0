import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort } from "./server/harness.js";

/**
 * The servers `tova run` and `tova dev` start stop when that command is killed
 * outright (SIGKILL: no chance to pass a signal on), instead of holding their
 * port for nobody (runtime/server/lifecycle.ts, TOVA_PARENT_PID).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "tova-orphans-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const started: ChildProcess[] = [];
afterEach(() => {
  // Whatever is left of each command's process group.
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

const PROGRAM = `fn hello() { { message: "hi" } }\nroute GET "/hello" => hello\n`;

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/hello`)).status === 200;
  } catch {
    return false;
  }
}

async function until(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await what()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(["run", "dev"])("tova %s killed outright", (command) => {
  it("its server stops too, and the port is free again", async () => {
    const dir = mkdtempSync(path.join(work, `${command}-`));
    writeFileSync(path.join(dir, "app.tova"), PROGRAM);
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, command, "app.tova", "--port", String(port), "--no-typecheck"], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: "ignore",
      detached: true,
    });
    started.push(child);
    expect(await until(() => answers(port), 30_000)).toBe(true);
    child.kill("SIGKILL");
    expect(await until(async () => !(await answers(port)), 5_000)).toBe(true);
  }, 60_000);
});
