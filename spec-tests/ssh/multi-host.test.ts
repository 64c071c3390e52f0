import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { hasSshd, portBase, sshConfigOf, startSshd, type Sshd } from "./sshd.js";

/**
 * `server:` as a list (scale-out.md, "Several hosts") end to end: two real
 * sshd on loopback, each with its own prefix, registry, stand-ins and first
 * port, under the aliases tova-test-1 and tova-test-2. A release goes to one
 * host at a time, the next only once the previous answers its health check;
 * a release whose health check fails on the first host is rolled back there
 * and never reaches the second. The hosts share a real Redis (REDIS_URL is a
 * required secret with more than one host).
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const enabled = (hasSshd() && haveRedis()) || !!process.env["CI"];
const hosts: Sshd[] = [];
let env: Record<string, string>;
let work: string;
const bases: number[] = [];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tova(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1", CI: "true" }, timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function get(port: number, route: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "GET", path: route, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

const program = (version: string, extra = "") => `server {
${extra}
  fn version() { "${version}" }
  route GET "/version" => version
}

deploy "prod" {
  server: ["tova-test-1", "tova-test-2"]
  domain: "web.example.com"
  health_timeout: 3
  keep_releases: 5
}
`;
/** A release that never answers its health check: its server stops at start. */
const broken = (version: string) => program(version, `  on_start {\n    print(len(read("missing.csv")))\n  }`);

const appDir = (h: Sshd) => path.join(h.prefix, "opt/tova/apps/web");
const current = (h: Sshd) => readlinkSync(path.join(appDir(h), "current"));
const releases = (h: Sshd) => readdirSync(path.join(appDir(h), "releases")).sort();
const registry = (h: Sshd) => JSON.parse(readFileSync(path.join(h.prefix, "opt/tova/registry.json"), "utf8")) as { apps: Record<string, { ports: number[]; version: string }> };
const deploy = (source: string) => {
  writeFileSync(path.join(work, "web.tova"), source);
  return tova("deploy", "prod", "--path", "web.tova");
};

beforeAll(async () => {
  if (!enabled) return;
  hosts.push(await startSshd("tova-test-1"), await startSshd("tova-test-2"));
  env = sshConfigOf(hosts);
  work = mkdtempSync(path.join(os.tmpdir(), "tova-multi-host-"));
  // Each host's own first port, far enough apart that their apps never meet.
  for (const h of hosts) {
    let base = await portBase();
    while (bases.some((b) => Math.abs(b - base) < 10)) base = await portBase();
    bases.push(base);
    const root = path.join(h.prefix, "opt/tova");
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, "registry.json"), JSON.stringify({ apps: {}, next_port: base, first_port: base }));
  }
  writeFileSync(path.join(work, "web.tova"), program("v1"));
  const redis = await startRedis();
  const set = tova("env", "prod", "set", `REDIS_URL=${redis}`, "--path", "web.tova");
  if (set.status !== 0) throw new Error(set.stdout + set.stderr);
}, 60_000);

afterAll(async () => {
  if (!enabled) return;
  for (const h of hosts) await h.stop();
  await stopRedis();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)("tova deploy to several hosts", () => {
  it("tova env set writes the secret on every host", () => {
    for (const h of hosts) expect(readFileSync(path.join(appDir(h), ".env.production"), "utf8")).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:\d+$/m);
    const list = tova("env", "prod", "list", "--path", "web.tova");
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toBe("tova-test-1:\n  REDIS_URL\ntova-test-2:\n  REDIS_URL\n");
  }, 30_000);

  it("a rolling deploy goes to one host at a time, the second only once the first answers its health check", async () => {
    const r = deploy(program("v1"));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    const order = ["── tova-test-1 (host 1 of 2) ──", "✓ Live at https://web.example.com (v1) on tova-test-1", "── tova-test-2 (host 2 of 2) ──", "✓ Live at https://web.example.com (v1) on tova-test-2", "✓ Rollout done on 2 hosts: tova-test-1, tova-test-2"];
    for (const line of order) expect(out).toContain(line);
    expect(order.map((line) => out.indexOf(line))).toEqual(order.map((line) => out.indexOf(line)).sort((a, b) => a - b));
    for (const [i, h] of hosts.entries()) {
      expect(current(h)).toBe("releases/v1");
      expect(registry(h).apps["web"]).toMatchObject({ ports: [bases[i]], version: "v1" });
      expect((await get(bases[i]!, "/version")).text).toContain("v1");
      // Each host runs every layer of its own provisioning, its Caddy serving the domain.
      expect(readFileSync(path.join(h.prefix, "opt/tova/caddy/apps/web.caddy"), "utf8")).toContain(`web.example.com {`);
    }

    const again = deploy(program("v2"));
    expect(again.status, again.stdout + again.stderr).toBe(0);
    for (const [i, h] of hosts.entries()) {
      expect(current(h)).toBe("releases/v2");
      expect((await get(bases[i]!, "/version")).text).toContain("v2");
    }
  }, 240_000);

  it("a release whose health check fails on the first host is rolled back there and never reaches the second", async () => {
    const before = hosts[1]!.calls().length;
    const r = deploy(broken("v3"));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("⚠ Health check failed, rolling back...");
    expect(r.stdout).toContain("current → releases/v2 (was v3)");
    expect(r.stdout).toContain("✗ Deploy failed on tova-test-1. Rolled back to v2.");
    expect(r.stdout).toContain("✗ Rollout stopped at tova-test-1. Not reached: tova-test-2 (left on the release they run).");
    expect(r.stdout).not.toContain("── tova-test-2");
    // The first host serves v2 again; v3 stays there for debugging.
    expect(current(hosts[0]!)).toBe("releases/v2");
    expect(releases(hosts[0]!)).toContain("v3");
    expect(registry(hosts[0]!).apps["web"]!.version).toBe("v2");
    expect((await get(bases[0]!, "/version")).text).toContain("v2");
    // The second host never got v3: nothing uploaded, nothing restarted.
    expect(current(hosts[1]!)).toBe("releases/v2");
    expect(releases(hosts[1]!)).not.toContain("v3");
    expect(existsSync(path.join(appDir(hosts[1]!), "releases/v3.partial"))).toBe(false);
    expect(hosts[1]!.calls().slice(before).filter((c) => c.startsWith("systemctl restart"))).toEqual([]);
    expect((await get(bases[1]!, "/version")).text).toContain("v2");
  }, 240_000);

  it("--status shows every host, each in its own section", () => {
    const r = tova("deploy", "prod", "--path", "web.tova", "--status");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const [i, h] of hosts.entries()) {
      const section = r.stdout.split(`── ${h.alias} ──`)[1]!.split("── ")[0]!;
      expect(section).toContain("web — https://web.example.com");
      expect(section).toContain("● running (v2)");
      expect(section).toContain(`@${bases[i]}   ● active   healthy`);
    }
  }, 60_000);

  it("--logs prints every host's journal, each line prefixed with its host", () => {
    const r = tova("deploy", "prod", "--path", "web.tova", "--logs");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`tova-test-1 | tova-web@${bases[0]}.service:`);
    expect(r.stdout).toContain(`tova-test-2 | tova-web@${bases[1]}.service:`);
    expect(r.stdout.split("\n").filter(Boolean).every((line) => /^tova-test-[12] \| /.test(line))).toBe(true);
  }, 60_000);

  it("--rollback rolls every host back, one at a time", async () => {
    const r = tova("deploy", "prod", "--path", "web.tova", "--rollback");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Rolling back web on tova-test-1...");
    expect(r.stdout).toContain("Rolling back web on tova-test-2...");
    expect(r.stdout).toContain("✓ Rollback done on 2 hosts");
    for (const [i, h] of hosts.entries()) {
      expect(current(h)).toBe("releases/v1");
      expect((await get(bases[i]!, "/version")).text).toContain("v1");
    }
  }, 120_000);

  it("--host narrows an operation to one host; --ssh with several hosts asks for it", () => {
    const one = tova("deploy", "prod", "--path", "web.tova", "--status", "--host", "tova-test-2");
    expect(one.status, one.stdout + one.stderr).toBe(0);
    expect(one.stdout).not.toContain("tova-test-1");
    expect(one.stdout).toContain("● running (v1)");
    const wrong = tova("deploy", "prod", "--path", "web.tova", "--status", "--host", "elsewhere");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("--host elsewhere is not a host of deploy \"prod\" (its hosts: tova-test-1, tova-test-2)");
    const ssh = tova("deploy", "prod", "--path", "web.tova", "--ssh");
    expect(ssh.status).toBe(2);
    expect(ssh.stderr).toContain("--ssh opens a shell on one host: add --host with one of tova-test-1, tova-test-2");
  }, 60_000);

  it("a release that fails only on the second host leaves the first on it and rolls the second back", async () => {
    // The release reads a file at start that only the first host has in its data directory.
    writeFileSync(path.join(appDir(hosts[0]!), "data/flag.csv"), "a\n1\n");
    const r = deploy(program("v4", `  on_start {\n    print(len(read("flag.csv")))\n  }`));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("✓ Live at https://web.example.com (v4) on tova-test-1");
    expect(r.stdout).toContain("✗ Deploy failed on tova-test-2. Rolled back to v1.");
    expect(r.stdout).toContain("✗ Rollout stopped at tova-test-2.");
    expect(r.stdout).toContain("Done before it: tova-test-1");
    expect(current(hosts[0]!)).toBe("releases/v4");
    expect(current(hosts[1]!)).toBe("releases/v1");
    expect((await get(bases[0]!, "/version")).text).toContain("v4");
    expect((await get(bases[1]!, "/version")).text).toContain("v1");
  }, 240_000);

  it("--status still shows the other hosts when one cannot be reached", async () => {
    await hosts[1]!.stop();
    const r = tova("deploy", "prod", "--path", "web.tova", "--status");
    expect(r.status).toBe(1);
    expect(r.stdout.split("── tova-test-1 ──")[1]).toContain("● running (v4)");
    expect(r.stdout.split("── tova-test-2 ──")[1]).toContain("○ unreachable: cannot reach tova-test-2 over ssh");
  }, 60_000);
});
