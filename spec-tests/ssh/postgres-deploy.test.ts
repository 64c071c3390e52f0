import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresBin } from "../../runtime/testing/postgres.js";
import { freePort } from "../server/harness.js";
import { hasSshd, portBase, startSshd, type Sshd } from "./sshd.js";

/**
 * A program on PostgreSQL deployed end to end (issue 11; deploy-blocks.md
 * sections 5 and 8): provision.sh makes the cluster, role and database,
 * writes DATABASE_URL into .env.production, and the deployed server's models
 * use it. The cluster is a real PostgreSQL kept under the sandbox's prefix
 * (stand-ins/postgres.mjs stands in for Debian's pg_createcluster and `su`).
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const isRoot = process.getuid?.() === 0;
const enabled = (hasSshd() && !!postgresBin() && isRoot) || !!process.env["CI"];
let sshd: Sshd;
let work: string;
let base: number;
let pgPort: number;

const program = (version: string) => `server {
  db { adapter: "postgres", pool: 4 }
  model Note { text: String, done: Bool, score: Float, tag: Option<String> }
  fn version() { "${version}" }
  route GET "/version" => version
  fn add_note(text: String, score: Float) { Note.create({ text: text, done: false, score: score, tag: None }) }
  fn finish(id: Int) { Note.update(id, { done: true }) }
  fn notes() { Note.all() }
  fn open_notes() { Note.where({ done: false }) }
}

deploy "prod" {
  server: "tova-test"
  domain: "notes.example.com"
  health_timeout: 5
  db {
    postgres { port: ${pgPort} }
  }
}
`;

function tova(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, ...sshd.env, NO_COLOR: "1", CI: "true" }, timeout: 180_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function rpc(fn: string, args: unknown[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify({ __args: args });
    const req = http.request({ host: "127.0.0.1", port: base, method: "POST", path: `/rpc/${fn}`, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

/** A query on the deployed database, as the `postgres` superuser over the sandbox's socket. */
function sql(query: string): string {
  const r = spawnSync("runuser", ["-u", "postgres", "--", path.join(postgresBin()!, "psql"), "-h", path.join(sshd.prefix, "run/postgresql"), "-p", String(pgPort), "-d", "notes_db", "-tAc", query], { encoding: "utf8", cwd: "/" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const appDir = () => path.join(sshd.prefix, "opt/tova/apps/notes");

beforeAll(async () => {
  if (!enabled) return;
  sshd = await startSshd();
  work = mkdtempSync(path.join(os.tmpdir(), "tova-pg-deploy-"));
  base = await portBase();
  pgPort = await freePort();
  const root = path.join(sshd.prefix, "opt/tova");
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, "registry.json"), JSON.stringify({ apps: {}, next_port: base, first_port: base }));
  writeFileSync(path.join(work, "notes.tova"), program("v1"));
}, 60_000);

afterAll(async () => {
  if (!enabled) return;
  await sshd.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)("a PostgreSQL program deployed over ssh", () => {
  it("provisions the database, writes DATABASE_URL, and the deployed models store their rows in it", async () => {
    const r = tova("deploy", "prod", "--path", "notes.tova");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("✓ Live at https://notes.example.com (v1)");
    const version = path.basename(path.dirname(postgresBin()!));
    expect(sshd.calls()).toContain(`pg_createcluster --start -p ${pgPort} ${version} tova_${pgPort}`);
    // The connection string is generated on the server, with a password of its own, never printed.
    const env = readFileSync(path.join(appDir(), ".env.production"), "utf8");
    const url = /^DATABASE_URL=(.*)$/m.exec(env)?.[1];
    expect(url).toMatch(new RegExp(`^postgres://tova_notes:[A-Za-z0-9]{20,}@localhost:${pgPort}/notes_db$`));
    expect(r.out).not.toContain(new URL(url!).password);

    const a = await rpc("add_note", ["first", 2.5]);
    expect(a.status).toBe(200);
    expect(a.body.result).toEqual({ id: 1, text: "first", done: false, score: 2.5, tag: null });
    await rpc("add_note", ["second", 1]);
    expect((await rpc("finish", [1])).body.result).toMatchObject({ id: 1, done: true });
    expect((await rpc("open_notes", [])).body.result.map((n: { text: string }) => n.text)).toEqual(["second"]);
    // The rows are in PostgreSQL, owned by the app's role, and no SQLite file was made.
    expect(sql("SELECT text || ':' || done::text FROM notes ORDER BY id")).toBe("first:true\nsecond:false");
    expect(sql("SELECT tableowner FROM pg_tables WHERE tablename = 'notes'")).toBe("tova_notes");
    expect(existsSync(path.join(appDir(), "data")) ? readdirSync(path.join(appDir(), "data")).filter((f) => f.endsWith(".db")) : []).toEqual([]);
  }, 180_000);

  it("a redeploy keeps the database, its password and its rows", async () => {
    const before = readFileSync(path.join(appDir(), ".env.production"), "utf8");
    writeFileSync(path.join(work, "notes.tova"), program("v2"));
    const r = tova("deploy", "prod", "--path", "notes.tova");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("(v2)");
    expect(readFileSync(path.join(appDir(), ".env.production"), "utf8")).toBe(before);
    expect((await rpc("notes", [])).body.result.map((n: { text: string }) => n.text)).toEqual(["first", "second"]);
  }, 180_000);

  it("--remove dumps the database into the archive, then drops it and its role", () => {
    const r = tova("deploy", "prod", "--path", "notes.tova", "--remove", "--yes");
    expect(r.status, r.out).toBe(0);
    const archive = path.join(sshd.prefix, "opt/tova/archive/notes");
    const [stamp] = readdirSync(archive);
    const dump = readFileSync(path.join(archive, stamp!, "notes_db.sql"), "utf8");
    expect(dump).toContain("CREATE TABLE public.notes");
    expect(dump).toContain("second");
    const dbs = spawnSync("runuser", ["-u", "postgres", "--", path.join(postgresBin()!, "psql"), "-h", path.join(sshd.prefix, "run/postgresql"), "-p", String(pgPort), "-d", "postgres", "-tAc", "SELECT datname FROM pg_database UNION ALL SELECT rolname FROM pg_roles"], { encoding: "utf8", cwd: "/" }).stdout;
    expect(dbs).not.toContain("notes_db");
    expect(dbs).not.toContain("tova_notes");
  }, 120_000);
});
