import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { call, freePort, start, stopAll } from "./server/harness.js";
import { closeBrowser, haveChromium, openPage } from "./browser/chromium.js";

/**
 * `tova build --production` (decisions.md "Output", client.md): one minified,
 * self-contained bundle per server block and per client block, run from a
 * copy of `dist/` in a directory with nothing installed, from another
 * working directory; the client bundle named by its content.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const SPEC = readFileSync(path.join(ROOT, "..", "shared", "spec", "named-blocks.md"), "utf8");
const MULTI = [...SPEC.matchAll(/```tova\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('server "worker"') && b.includes("client {"))!;
const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

function production(source: string): { dir: string; dist: string; status: number | null; out: string } {
  const dir = temp("tova-prod-");
  writeFileSync(path.join(dir, "app.tova"), source);
  const r = spawnSync(process.execPath, [CLI, "build", "app.tova", "--production"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { dir, dist: path.join(dir, "dist"), status: r.status, out: r.stdout + r.stderr };
}

const clientBundle = (dist: string) => readdirSync(path.join(dist, "client")).find((f) => f.endsWith(".js"))!;

afterAll(async () => {
  await closeBrowser();
  await stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("tova build --production", () => {
  it("serves the multi-server example from a copy of dist/ with nothing installed, run from another directory", async () => {
    const built = production(MULTI);
    expect(built.status, built.out).toBe(0);
    expect(readdirSync(built.dist).sort()).toEqual(["client", "server.api.js", "server.api.js.map", "server.realtime.js", "server.realtime.js.map", "server.worker.js", "server.worker.js.map"]);
    const bundle = clientBundle(built.dist);
    expect(bundle).toMatch(/^app\.client-[a-z0-9]+\.js$/);
    const size = readFileSync(path.join(built.dist, "client", bundle)).length;
    expect(size).toBeLessThan(15 * 1024); // runtime included, minified, before compression (issue 12)
    // The map goes through to the .tova file (the staging build is gone); the runtime's frames are named as such.
    const map = JSON.parse(readFileSync(path.join(built.dist, "server.api.js.map"), "utf8")) as { sources: string[] };
    expect(map.sources).toContain("../app.tova");
    expect(map.sources.filter((s) => !s.startsWith("tova-runtime/") && s !== "../app.tova")).toEqual([]);
    // Minified: no indentation, one long line of code.
    expect(readFileSync(path.join(built.dist, "server.api.js"), "utf8").split("\n").length).toBeLessThan(50);

    const copy = path.join(temp("tova-prod-copy-"), "release");
    cpSync(built.dist, copy, { recursive: true });
    const cwd = temp("tova-prod-cwd-");
    mkdirSync(path.join(cwd, "somewhere"));
    const ports = { api: await freePort(), realtime: await freePort(), worker: await freePort() };
    const env = { TOVA_APP_KEY: randomBytes(32).toString("hex"), PORT_API: String(ports.api), PORT_REALTIME: String(ports.realtime), PORT_WORKER: String(ports.worker) };
    const realtime = await start(path.join(copy, "server.realtime.js"), { port: ports.realtime, portEnv: "PORT_REALTIME", env, cwd: path.join(cwd, "somewhere") });
    const api = await start(path.join(copy, "server.api.js"), { port: ports.api, portEnv: "PORT_API", env, cwd: path.join(cwd, "somewhere") });
    expect((await call(`${api.url}/rpc/create_user`, { json: { __args: ["Ada", "ada@example.com"] } })).body.result).toEqual({ id: 1, name: "Ada", email: "ada@example.com" });
    expect((await call(`${api.url}/rpc/get_users`, { json: { __args: [] } })).body.result).toHaveLength(1);
    expect(realtime.output()).not.toContain('"level":"error"');

    const page = await fetch(`${api.url}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain(`<script type="module" src="/client/${bundle}"></script>`);
    const js = await fetch(`${api.url}/client/${bundle}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const hidden of [`/client/${bundle}.map`, "/client/manifest.json", "/server.api.js", "/server.api.js.map", "/client/../server.api.js"]) {
      expect((await fetch(`${api.url}${hidden}`)).status, hidden).toBe(404);
    }

    if (haveChromium()) {
      const { page: tab, errors } = await openPage(`${api.url}/`);
      await tab.waitForFunction(() => document.querySelectorAll("li").length === 1);
      expect(await tab.textContent("h1")).toBe("Users (1)");
      expect(await tab.textContent("li")).toBe("Ada");
      expect(errors).toEqual([]);
      await tab.close();
    }
  }, 180_000);

  it("names the client bundle by its content: the same build gives the same name, a client change a new one, a server-only change none", () => {
    const bundleOf = (source: string) => {
      const built = production(source);
      expect(built.status, built.out).toBe(0);
      return clientBundle(built.dist);
    };
    const a = bundleOf(MULTI);
    const again = bundleOf(MULTI);
    const clientChanged = bundleOf(MULTI.replace("<h1>Users (", "<h1>People ("));
    const serverChanged = bundleOf(MULTI.replace('print("Client connected")', 'print("A client connected")'));
    expect(again).toBe(a);
    expect(clientChanged).not.toBe(a);
    expect(serverChanged).toBe(a);
  }, 180_000);

  it("serves the bundles with static's cache value when the program sets one", async () => {
    const built = production(`server {\n  static { dir: "public", cache: "public, max-age=600" }\n  fn ping() -> String { "pong" }\n}\nclient {\n  component App { <p>hi</p> }\n}\n`);
    expect(built.status, built.out).toBe(1); // no public/ folder yet
    mkdirSync(path.join(built.dir, "public"));
    writeFileSync(path.join(built.dir, "public", "robots.txt"), "User-agent: *\n");
    const r = spawnSync(process.execPath, [CLI, "build", "app.tova", "--production"], { cwd: built.dir, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = await start(path.join(built.dist, "server.js"), { cwd: temp("tova-prod-cwd-") });
    const bundle = clientBundle(built.dist);
    expect((await fetch(`${s.url}/client/${bundle}`)).headers.get("cache-control")).toBe("public, max-age=600");
    expect(await (await fetch(`${s.url}/robots.txt`)).text()).toBe("User-agent: *\n");
  }, 120_000);

  it("refuses --emit beside it, and reports a program's errors without writing dist/", () => {
    const dir = temp("tova-prod-usage-");
    writeFileSync(path.join(dir, "app.tova"), "server { fn f() { 1 } }\n");
    const usage = spawnSync(process.execPath, [CLI, "build", "app.tova", "--production", "--emit", "ts"], { cwd: dir, encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("--production writes bundles only");
    writeFileSync(path.join(dir, "bad.tova"), "server { fn f() { undefined_name } }\n");
    const bad = spawnSync(process.execPath, [CLI, "build", "bad.tova", "--production"], { cwd: dir, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toContain("undefined_name");
    expect(readdirSync(dir)).not.toContain("dist");
  });
});
