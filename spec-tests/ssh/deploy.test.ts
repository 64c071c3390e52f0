import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSshd, portBase, startSshd, type Sshd } from "./sshd.js";

/**
 * `tova deploy` end to end against a real sshd on loopback (deploy-blocks.md,
 * sections 3 to 6). provision.sh and every deploy step run for real under the
 * sandbox's root prefix; apt-get, ufw, useradd, systemctl and journalctl are
 * the recording stand-ins of sshd.ts, and systemctl really starts each unit's
 * ExecStart with Bun, so health checks hit the deployed servers.
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const enabled = hasSshd() || !!process.env["CI"];
let sshd: Sshd;
let work: string;
let base: number;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tova(project: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: project, encoding: "utf8", env: { ...process.env, ...sshd.env, NO_COLOR: "1", CI: "true" }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tovaAsync(project: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: project, env: { ...process.env, ...sshd.env, NO_COLOR: "1", CI: "true" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * One request on a fresh connection (a kept-alive one may lead to the
 * process a restart just replaced).
 */
function request(port: number, method: string, route: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: "127.0.0.1", port, method, path: route, agent: false, headers: data ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

const get = (port: number, route: string) => request(port, "GET", route);
const rpc = (port: number, fn: string, args: unknown[]) => request(port, "POST", `/rpc/${fn}`, { __args: args });

const program = (version: string, extra = "", instances = 1) => `server {
  db { path: "app.db" }
  model Note { text: String }
  env API_KEY: String
${extra}
  fn version() { "${version}" }
  route GET "/version" => version
  fn add_note(text: String) { Note.create({ text: text }) }
  fn notes() { Note.all() }
}

deploy "prod" {
  server: "tova-test"
  domain: "myapp.example.com"
  instances: ${instances}
  keep_releases: 3
  health_timeout: 3
}
`;

const root = () => path.join(sshd.prefix, "opt/tova");
const appDir = (app: string) => path.join(root(), "apps", app);
const registry = () => JSON.parse(readFileSync(path.join(root(), "registry.json"), "utf8")) as { apps: Record<string, { ports: number[]; version: string }> };
const current = (app: string) => readlinkSync(path.join(appDir(app), "current"));
const releases = (app: string) => readdirSync(path.join(appDir(app), "releases")).sort();

let myapp: string;
let blog: string;

beforeAll(async () => {
  if (!enabled) return;
  sshd = await startSshd();
  work = mkdtempSync(path.join(os.tmpdir(), "tova-deploy-"));
  base = await portBase();
  mkdirSync(root(), { recursive: true });
  // The administrator's choice of where app ports start on this server.
  writeFileSync(path.join(root(), "registry.json"), JSON.stringify({ apps: {}, next_port: base, first_port: base }));
  myapp = path.join(work, "myapp");
  blog = path.join(work, "blog");
  mkdirSync(myapp);
  mkdirSync(blog);
  writeFileSync(path.join(myapp, "myapp.tova"), program("v1"));
  writeFileSync(
    path.join(blog, "blog.tova"),
    `server {\n  db { path: "blog.db" }\n  model Post { title: String }\n  fn posts() { Post.all() }\n  fn publish(title: String) { Post.create({ title: title }) }\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "blog.example.com"\n  health_timeout: 3\n}\n`,
  );
}, 60_000);

afterAll(async () => {
  if (!enabled) return;
  await sshd.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)("tova deploy over ssh", () => {
  it("a non-interactive first deploy with a missing secret fails naming it, and changes nothing", () => {
    const r = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("missing secrets for deploy \"prod\" in .env.production on tova-test: API_KEY");
    expect(r.stdout).toContain("tova env prod set");
    expect(existsSync(appDir("myapp"))).toBe(false);
    expect(registry().apps).toEqual({});
    expect(existsSync(path.join(root(), ".deploy.lock"))).toBe(false);
  }, 60_000);

  it("the first deploy provisions every layer, goes live, and serves /healthz", async () => {
    expect(tova(myapp, "env", "prod", "set", "API_KEY=k1", "--path", "myapp.tova").status).toBe(0);
    const r = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Connecting to tova-test...");
    expect(r.stdout).toContain("Provisioning server...");
    expect(r.stdout).toMatch(/Setting current → releases\/v1\s+✓/);
    expect(r.stdout).toContain(`tova-myapp@${base}.service started`);
    expect(r.stdout).toContain("✓ Live at https://myapp.example.com (v1)");
    expect((await get(base, "/healthz")).status).toBe(200);
    expect((await get(base, "/version")).text).toContain("v1");
    expect(registry().apps["myapp"]).toMatchObject({ ports: [base], version: "v1", domain: "myapp.example.com" });
    expect(current("myapp")).toBe("releases/v1");
    // Layers 1 and 5 ran: the firewall and the Caddy reload were asked for; the files are in place.
    const calls = sshd.calls();
    expect(calls).toContain("ufw allow 443/tcp");
    expect(calls).toContain("systemctl reload caddy");
    expect(readFileSync(path.join(root(), "caddy/apps/myapp.caddy"), "utf8")).toContain(`reverse_proxy localhost:${base}`);
    expect(readFileSync(path.join(sshd.prefix, "etc/caddy/Caddyfile"), "utf8")).toContain("import /opt/tova/caddy/Caddyfile");
    expect(existsSync(path.join(sshd.prefix, "etc/systemd/system/tova-myapp@.service"))).toBe(true);
    expect(existsSync(path.join(appDir("myapp"), "provision.sh"))).toBe(true);
    // The SQLite file lives in data/, outside every release.
    expect((await rpc(base, "add_note", ["kept"])).status).toBe(200);
    expect(existsSync(path.join(appDir("myapp"), "data/app.db"))).toBe(true);
  }, 120_000);

  it("a second deploy with only code changed skips layers 1, 2 and 5, and keeps the data", async () => {
    writeFileSync(path.join(myapp, "myapp.tova"), program("v2"));
    const before = sshd.calls().length;
    const r = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("→ Infrastructure: no changes");
    expect(r.stdout).toMatch(/→ App: \d+ files? changed/);
    expect(r.stdout).not.toContain("Provisioning server...");
    expect(r.stdout).not.toContain("Configuring reverse proxy...");
    expect(r.stdout).toContain(`tova-myapp@${base}.service restarted`);
    expect(r.stdout).toContain("✓ Live at https://myapp.example.com (v2)");
    const calls = sshd.calls().slice(before);
    expect(calls.filter((c) => c.startsWith("ufw") || c.startsWith("apt-get") || c.includes("caddy"))).toEqual([]);
    expect(calls).toContain(`systemctl restart tova-myapp@${base}.service`);
    expect((await get(base, "/version")).text).toContain("v2");
    expect((await rpc(base, "notes", [])).text).toContain("kept");
    expect(registry().apps["myapp"]).toMatchObject({ ports: [base], version: "v2" });
  }, 120_000);

  it("a release that fails its health check is rolled back by itself; the previous one keeps serving", async () => {
    writeFileSync(path.join(myapp, "myapp.tova"), program("v3", `  on_start {\n    print(len(read("missing.csv")))\n  }`));
    const r = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("⚠ Health check failed, rolling back...");
    expect(r.stdout).toContain("current → releases/v2 (was v3)");
    expect(r.stdout).toContain("✗ Deploy failed. Rolled back to v2.");
    expect(current("myapp")).toBe("releases/v2");
    expect(releases("myapp")).toContain("v3"); // kept for debugging
    expect((await get(base, "/version")).text).toContain("v2");
    expect(registry().apps["myapp"]!.version).toBe("v2");
  }, 120_000);

  it("--rollback makes the release before the live one live again", async () => {
    const r = tova(myapp, "deploy", "prod", "--path", "myapp.tova", "--rollback");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("current → releases/v1 (was v2)");
    expect(r.stdout).toContain("✓ Rolled back to v1");
    expect(current("myapp")).toBe("releases/v1");
    expect((await get(base, "/version")).text).toContain("v1");
    expect(registry().apps["myapp"]!.version).toBe("v1");
  }, 120_000);

  it("old releases are pruned to keep_releases, and a second app deployed at the same time gets its own stable port", async () => {
    writeFileSync(path.join(myapp, "myapp.tova"), program("v4"));
    // Two deploys to one server at once: the lock makes them take turns.
    const [a, b] = await Promise.all([tovaAsync(myapp, "deploy", "prod", "--path", "myapp.tova"), tovaAsync(blog, "deploy", "prod", "--path", "blog.tova")]);
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(b.status, b.stdout + b.stderr).toBe(0);
    expect(a.stdout).toContain("(v4)");
    expect(releases("myapp")).toEqual(["v2", "v3", "v4"]);
    const reg = registry().apps;
    expect(reg["myapp"]!.ports).toEqual([base]);
    expect(reg["blog"]!.ports).toEqual([base + 1]);
    expect((await get(base, "/version")).text).toContain("v4");
    expect((await get(base + 1, "/healthz")).status).toBe(200);
    expect((await rpc(base + 1, "publish", ["hello"])).status).toBe(200);
    // Redeploying keeps the port.
    const again = tova(blog, "deploy", "prod", "--path", "blog.tova");
    expect(again.status, again.stdout).toBe(0);
    expect(registry().apps["blog"]!.ports).toEqual([base + 1]);
  }, 180_000);

  it("--status, --list and --logs report on the running apps", () => {
    const status = tova(myapp, "deploy", "prod", "--path", "myapp.tova", "--status");
    expect(status.status, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain("myapp — https://myapp.example.com");
    expect(status.stdout).toContain("● running (v4)");
    expect(status.stdout).toContain(`@${base}   ● active   healthy`);
    const list = tova(myapp, "deploy", "--list", "--server", "tova-test");
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/blog\s+blog\.example\.com\s+v\d/);
    expect(list.stdout).toMatch(/myapp\s+myapp\.example\.com\s+v4/);
    const logs = tova(myapp, "deploy", "prod", "--path", "myapp.tova", "--logs", "--instance", "1");
    expect(logs.status, logs.stderr).toBe(0);
    expect(logs.stdout).toContain(`tova-myapp@${base}.service:`);
    expect(sshd.calls()).toContain(`journalctl --no-pager -o short-iso -u tova-myapp@${base}.service`);
  }, 60_000);

  it("--remove stops the app, archives its data and frees its ports", async () => {
    const r = tova(blog, "deploy", "prod", "--path", "blog.tova", "--remove", "--yes");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ Removed (data archived, not deleted)");
    expect(existsSync(appDir("blog"))).toBe(false);
    const archived = readdirSync(path.join(root(), "archive/blog"));
    expect(archived).toHaveLength(1);
    expect(existsSync(path.join(root(), "archive/blog", archived[0]!, "data/blog.db"))).toBe(true);
    expect(registry().apps["blog"]).toBeUndefined();
    expect(existsSync(path.join(root(), "caddy/apps/blog.caddy"))).toBe(false);
    await expect(get(base + 1, "/healthz")).rejects.toThrow();
    // myapp is untouched.
    expect((await get(base, "/version")).text).toContain("v4");
  }, 60_000);

  it("more instances take free ports (the one blog gave back); fewer stop the extra instance and free its port; --rollback to the bigger release needs those ports free", async () => {
    writeFileSync(path.join(myapp, "myapp.tova"), program("v5", "", 2));
    const up = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(registry().apps["myapp"]!.ports).toEqual([base, base + 1]);
    for (const port of [base, base + 1]) expect((await get(port, "/version")).text).toContain("v5");
    expect(readFileSync(path.join(root(), "caddy/apps/myapp.caddy"), "utf8")).toContain(`reverse_proxy localhost:${base} localhost:${base + 1}`);

    writeFileSync(path.join(myapp, "myapp.tova"), program("v6", "", 1));
    const down = tova(myapp, "deploy", "prod", "--path", "myapp.tova");
    expect(down.status, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toContain(`tova-myapp@${base + 1}.service stopped`);
    expect(registry().apps["myapp"]!.ports).toEqual([base]);
    expect(sshd.calls()).toContain(`systemctl disable --now tova-myapp@${base + 1}.service`);
    await expect(get(base + 1, "/healthz")).rejects.toThrow();
    expect((await get(base, "/version")).text).toContain("v6");

    // While another app holds the port the two-instance release ran on, --rollback refuses and changes nothing.
    expect(tova(blog, "deploy", "prod", "--path", "blog.tova").status).toBe(0);
    expect(registry().apps["blog"]!.ports).toEqual([base + 1]);
    const refused = tova(myapp, "deploy", "prod", "--path", "myapp.tova", "--rollback");
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(`ran on ports another app holds now: ${base + 1} (now blog's)`);
    expect(current("myapp")).toMatch(/v\d+$/);
    expect((await get(base, "/version")).text).toContain("v6");
    expect((await get(base + 1, "/healthz")).status).toBe(200);
    expect(tova(blog, "deploy", "prod", "--path", "blog.tova", "--remove", "--yes").status).toBe(0);

    // --rollback brings back the two-instance release: its own ports, units, Caddy site and health check.
    const back = tova(myapp, "deploy", "prod", "--path", "myapp.tova", "--rollback");
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(registry().apps["myapp"]!.ports).toEqual([base, base + 1]);
    for (const port of [base, base + 1]) expect((await get(port, "/version")).text).toContain("v5");
    expect(readFileSync(path.join(root(), "caddy/apps/myapp.caddy"), "utf8")).toContain(`reverse_proxy localhost:${base} localhost:${base + 1}`);
  }, 180_000);
});

describe.skipIf(!enabled)("npm packages and local modules", () => {
  it("the server installs the production dependencies of package.json into the release, and local modules travel in the bundle", async () => {
    const dir = path.join(work, "greet");
    mkdirSync(path.join(dir, "greeter"), { recursive: true });
    // A package the "server" (this machine) can install without a registry: a file: dependency.
    writeFileSync(path.join(dir, "greeter/package.json"), JSON.stringify({ name: "greeter", version: "1.0.0", type: "module", main: "index.js" }));
    writeFileSync(path.join(dir, "greeter/index.js"), "export function greet(name) { return `hello ${name}`; }\n");
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "greet", private: true, dependencies: { greeter: `file:${path.join(dir, "greeter")}` } }));
    writeFileSync(path.join(dir, "shout.js"), "export const shout = (s) => s.toUpperCase();\n");
    writeFileSync(
      path.join(dir, "greet.tova"),
      `import { greet } from "greeter"\nimport { shout } from "./shout.js"\n\nserver {\n  fn hello(name: String) { shout(greet(name)) }\n  route GET "/hello/:name" => hello\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "greet.example.com"\n  health_timeout: 3\n}\n`,
    );
    const r = tova(dir, "deploy", "prod", "--path", "greet.tova");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("npm dependencies installed (bun install --production)");
    const port = registry().apps["greet"]!.ports[0]!;
    expect((await get(port, "/hello/ada")).text).toContain("HELLO ADA");
    expect(existsSync(path.join(appDir("greet"), "current/node_modules/greeter/index.js"))).toBe(true);
    expect(tova(dir, "deploy", "prod", "--path", "greet.tova", "--remove", "--yes").status).toBe(0);
  }, 120_000);

  it("a program importing a package without a package.json to install it from is refused before anything is sent", () => {
    const dir = path.join(work, "nodeps");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "nodeps.tova"), `import dayjs from "dayjs"\n\nserver {\n  fn now() { dayjs().format("YYYY") }\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "nodeps.example.com"\n}\n`);
    const r = tova(dir, "deploy", "prod", "--path", "nodeps.tova");
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain("the program imports dayjs, but there is no package.json");
    expect(existsSync(appDir("nodeps"))).toBe(false);
  }, 60_000);
});

describe.skipIf(!enabled)("bad input leaves the server as it was", () => {
  const snapshot = () => JSON.stringify({ registry: registry(), current: current("myapp"), releases: releases("myapp") });

  it("a deploy block with a wrong type or without a server is a diagnostic at its key", () => {
    const dir = path.join(work, "bad");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "bad.tova"), `server {\n  fn ping() { "pong" }\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "bad.example.com"\n  instances: "two"\n}\n`);
    const before = snapshot();
    const wrong = tova(dir, "deploy", "prod", "--path", "bad.tova");
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/bad\.tova:8:\d+: error\[E04\d\d\]/);
    expect(wrong.stdout).toContain("instances");
    writeFileSync(path.join(dir, "bad.tova"), `server {\n  fn ping() { "pong" }\n}\n\ndeploy "prod" {\n  domain: "bad.example.com"\n}\n`);
    const missing = tova(dir, "deploy", "prod", "--path", "bad.tova");
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/error\[E04\d\d\]/);
    expect(missing.stdout).toContain("server");
    expect(snapshot()).toBe(before);
  }, 60_000);

  it("an unreachable host is one line naming it", () => {
    const dir = path.join(work, "down");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "down.tova"), `server {\n  fn ping() { "pong" }\n}\n\ndeploy "prod" {\n  server: "ssh://nobody@127.0.0.1:1"\n  domain: "down.example.com"\n}\n`);
    const r = tova(dir, "deploy", "prod", "--path", "down.tova");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("✗ cannot reach ssh://nobody@127.0.0.1:1 over ssh");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("a failing remote command names the layer and shows its output; nothing goes live", async () => {
    const dir = path.join(work, "shop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "shop.tova"), `server {\n  fn ping() { "pong" }\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "shop.example.com"\n}\n`);
    // A file where the proxy layer needs a directory: writing the site fails.
    mkdirSync(path.join(root(), "caddy/apps"), { recursive: true });
    writeFileSync(path.join(root(), "caddy/apps/shop.caddy"), "");
    rmSync(path.join(root(), "caddy/apps/shop.caddy"));
    mkdirSync(path.join(root(), "caddy/apps/shop.caddy/blocked"), { recursive: true });
    const before = snapshot();
    const r = tova(dir, "deploy", "prod", "--path", "shop.tova");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('✗ layer "proxy" failed on tova-test');
    expect(r.stdout).toMatch(/shop\.caddy/);
    expect(r.stdout).toContain("Nothing went live");
    expect(snapshot()).toBe(before);
    expect(registry().apps["shop"]).toBeUndefined();
    expect(readdirSync(path.join(appDir("shop"), "releases"))).toEqual([]);
    expect(existsSync(path.join(root(), ".deploy.lock"))).toBe(false);
    expect((await get(base, "/version")).text).toContain("v5");
    rmSync(path.join(root(), "caddy/apps/shop.caddy"), { recursive: true });
  }, 120_000);
});
