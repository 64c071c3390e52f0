import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresBin } from "../../runtime/testing/postgres.js";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { freePort } from "../server/harness.js";
import { hasSshd, portBase, sshConfigOf, startSshd, type Sshd } from "./sshd.js";

/**
 * Two web hosts sharing the PostgreSQL and Redis of a database host the
 * deploy block names (scale-out.md, "Several hosts"): three sshd on
 * loopback. `tova deploy` provisions the database host once (a real
 * PostgreSQL cluster under its prefix, through the stand-ins of
 * postgres-deploy.test.ts), opens its ports to the web hosts' addresses only
 * (ufw records the rules) and writes DATABASE_URL and REDIS_URL into each web
 * host's .env.production; a row written through one host is read through the
 * other. The Redis is the test's own (a stand-in systemctl starts no
 * redis-server): its password is already in the database host's redis.conf,
 * which the script keeps.
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const isRoot = process.getuid?.() === 0;
const enabled = (hasSshd() && !!postgresBin() && isRoot && haveRedis()) || !!process.env["CI"];
const web: Sshd[] = [];
let db: Sshd;
let env: Record<string, string>;
let work: string;
const bases: number[] = [];
let pgPort: number;
let redisPort: number;
const REDIS_PASSWORD = "sharedsecret42";

function tova(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1", CI: "true" }, timeout: 240_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function rpc(port: number, fn: string, args: unknown[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: `/rpc/${fn}`, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ __args: args }));
  });
}

const program = (version: string) => `server {
  db { adapter: "postgres", pool: 2 }
  model Note { text: String }
  fn version() { "${version}" }
  route GET "/version" => version
  fn add_note(text: String) { Note.create({ text: text }) }
  fn notes() { Note.all() }
}

deploy "prod" {
  server: ["tova-test-1", "tova-test-2"]
  domain: "notes.example.com"
  health_timeout: 5
  db {
    postgres { host: "tova-test-db", port: ${pgPort} }
    redis { host: "tova-test-db", port: ${redisPort} }
  }
}
`;

const envOf = (h: Sshd) => readFileSync(path.join(h.prefix, "opt/tova/apps/notes/.env.production"), "utf8");

beforeAll(async () => {
  if (!enabled) return;
  web.push(await startSshd("tova-test-1"), await startSshd("tova-test-2"));
  db = await startSshd("tova-test-db");
  env = sshConfigOf([...web, db]);
  work = mkdtempSync(path.join(os.tmpdir(), "tova-db-host-"));
  for (const h of web) {
    let base = await portBase();
    while (bases.some((b) => Math.abs(b - base) < 10)) base = await portBase();
    bases.push(base);
    mkdirSync(path.join(h.prefix, "opt/tova"), { recursive: true });
    writeFileSync(path.join(h.prefix, "opt/tova/registry.json"), JSON.stringify({ apps: {}, next_port: base, first_port: base }));
  }
  pgPort = await freePort();
  const redis = await startRedis();
  redisPort = Number(new URL(redis).port);
  spawnSync("redis-cli", ["-p", String(redisPort), "config", "set", "requirepass", REDIS_PASSWORD]);
  mkdirSync(path.join(db.prefix, "etc/redis"), { recursive: true });
  writeFileSync(path.join(db.prefix, "etc/redis/redis.conf"), `port ${redisPort}\nrequirepass ${REDIS_PASSWORD}\n`);
  writeFileSync(path.join(work, "notes.tova"), program("v1"));
}, 60_000);

afterAll(async () => {
  if (!enabled) return;
  for (const h of [...web, db]) await h.stop();
  await stopRedis();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)("a database host shared by two web hosts", () => {
  it("is provisioned before the rollout, open to the web hosts only, and both hosts use its PostgreSQL and Redis", async () => {
    const r = tova("deploy", "prod", "--path", "notes.tova");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("Database host tova-test-db...");
    expect(r.out).toContain('PostgreSQL database "notes_db", Redis, open to 127.0.0.1 only');
    expect(r.out).toContain("DATABASE_URL, REDIS_URL from the database host");
    expect(r.out).toContain("✓ Rollout done on 2 hosts: tova-test-1, tova-test-2");
    // The database host: a cluster of its own, its firewall opened from the web hosts' address to both ports.
    const calls = db.calls();
    expect(calls).toContain(`ufw allow from 127.0.0.1 to any port ${pgPort} proto tcp`);
    expect(calls).toContain(`ufw allow from 127.0.0.1 to any port ${redisPort} proto tcp`);
    expect(calls).toContain("ufw allow 22/tcp");
    expect(calls.some((c) => c.startsWith(`pg_createcluster --start -p ${pgPort}`))).toBe(true);
    // The web hosts install no database of their own.
    for (const h of web) expect(h.calls().filter((c) => c.startsWith("pg_createcluster") || c.includes("redis-server"))).toEqual([]);
    // Both web hosts were given the same URLs; the password is never printed.
    const url = /^DATABASE_URL=(.*)$/m.exec(envOf(web[0]!))?.[1];
    expect(url).toMatch(new RegExp(`^postgres://tova_notes:[A-Za-z0-9]{20,}@127\\.0\\.0\\.1:${pgPort}/notes_db$`));
    expect(r.out).not.toContain(new URL(url!).password);
    expect(envOf(web[1]!)).toContain(`DATABASE_URL=${url}\n`);
    for (const h of web) expect(envOf(h)).toContain(`REDIS_URL=redis://:${REDIS_PASSWORD}@127.0.0.1:${redisPort}\n`);
    // pg_hba lets the web hosts in to this database as this role.
    const hba = spawnSync("sh", ["-c", `cat ${path.join(db.prefix, "var/lib/postgresql")}/*/*/pg_hba.conf`], { encoding: "utf8" }).stdout;
    expect(hba).toContain("host notes_db tova_notes 127.0.0.1/32 scram-sha-256 # tova:notes");
    // One database for both hosts: a note written through the first is read through the second.
    expect((await rpc(bases[0]!, "add_note", ["shared"])).status).toBe(200);
    expect((await rpc(bases[1]!, "notes", [])).body.result.map((n: { text: string }) => n.text)).toEqual(["shared"]);
  }, 300_000);

  it("a second deploy leaves the database host as it is", async () => {
    const before = db.calls().length;
    writeFileSync(path.join(work, "notes.tova"), program("v2"));
    const r = tova("deploy", "prod", "--path", "notes.tova");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('PostgreSQL database "notes_db", Redis: already provisioned');
    expect(db.calls().slice(before)).toEqual([]);
    expect((await rpc(bases[1]!, "notes", [])).body.result.map((n: { text: string }) => n.text)).toEqual(["shared"]);
  }, 300_000);
});
