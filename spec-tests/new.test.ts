import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { portFree } from "./server/harness.js";

/**
 * `tova new` (issue 14): each template is a directory whose program checks
 * without a diagnostic and, under `tova dev`, answers the first request its
 * README shows. A directory with anything in it is refused.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "tova-new-"));
let dev: ChildProcess | null = null;

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));
  }
  rmSync(work, { recursive: true, force: true });
});

const tova = (args: string[], cwd = work) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });

/** A first port with the next one free too (the services template runs two processes). */
async function freePair(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(base)) && (await portFree(base + 1))) return base;
  }
}

/** The README's first request: a `curl` line or an `open` of a URL, with the port moved to `port`. */
function firstRequest(readme: string, port: number): { method: string; url: string } {
  const line = readme.split("\n").find((l) => /^(curl|open) /.test(l))!;
  const url = line.match(/(?:http:\/\/)?localhost:3000(\/\S*)?/)!;
  return { method: / -X POST /.test(line) ? "POST" : "GET", url: `http://127.0.0.1:${port}${url[1] ?? "/"}` };
}

describe.each(["api", "fullstack", "services"])("tova new --template %s", (template) => {
  it("writes a starter that checks clean and answers its README's first request under tova dev", async () => {
    const made = tova(["new", `my-${template}`, "--template", template]);
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);
    const dir = path.join(work, `my-${template}`);
    expect(readdirSync(dir).sort()).toEqual([".env.example", ".gitignore", "README.md", "app.tova"]);
    const program = readFileSync(path.join(dir, "app.tova"), "utf8");
    expect(program).toMatch(/^\/\/ my-/); // commented
    expect(program).toMatch(/^\/\/ deploy "prod" \{$/m); // the deploy block, left commented
    const readme = readFileSync(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("tova dev app.tova");
    expect(readme).toContain("tova deploy prod");

    expect(tova(["fmt", "--check", "app.tova"], dir).status).toBe(0); // written in the canonical layout
    const checked = tova(["check", "app.tova"], dir);
    expect(checked.stdout + checked.stderr).toBe("no problems in 1 file\n");
    expect(checked.status).toBe(0);

    const port = await freePair();
    let out = "";
    dev = spawn(process.execPath, [CLI, "dev", "app.tova", "--port", String(port), "--no-typecheck"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    dev.stdout!.on("data", (d: Buffer) => (out += d));
    dev.stderr!.on("data", (d: Buffer) => (out += d));
    const { method, url } = firstRequest(readme, port);
    let res: Response | null = null;
    for (let i = 0; i < 300 && !res; i++) {
      res = await fetch(url, { method }).catch(() => null);
      if (!res) await new Promise((r) => setTimeout(r, 100));
    }
    expect(res, out).not.toBeNull();
    expect(res!.status).toBe(200);
    const body = await res!.text();
    if (template === "fullstack") expect(body).toContain("<script");
    else expect(() => JSON.parse(body)).not.toThrow();
    dev.kill("SIGTERM");
    await new Promise((r) => dev!.once("exit", r));
  }, 60_000);
});

describe("tova new refuses", () => {
  it("a directory that has anything in it, an unknown template and a name that cannot name a project", () => {
    mkdirSync(path.join(work, "taken"));
    writeFileSync(path.join(work, "taken", "notes.txt"), "mine");
    const taken = tova(["new", "taken"]);
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/taken is not empty/);
    expect(readdirSync(path.join(work, "taken"))).toEqual(["notes.txt"]);
    const unknown = tova(["new", "fresh", "--template", "blog"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/blog/);
    const bad = tova(["new", "My App!"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot name a project/);
    expect(readdirSync(work)).not.toContain("fresh");
  });
});
