import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freeBase } from "./server/harness.js";
import { compile } from "../compile.js";

/**
 * TOVA_APP_KEY, the key the servers of one app sign their requests to each
 * other with (security.md, "Between the application's own servers"): `tova
 * dev` and `tova run` give every process they start the same one, and
 * `tova deploy` makes one in `.env.production` on the first deploy and keeps
 * it (provision.sh's secrets layer, read by every unit's EnvironmentFile).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");

const work = mkdtempSync(path.join(os.tmpdir(), "tova-app-key-"));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }
  rmSync(work, { recursive: true, force: true });
});

function provision(source: string): string {
  const r = compile([{ path: "input.tova", text: source }], { stem: "myapp", emit: ["deploy"] });
  const text = r.outputs.get("deploy/prod/provision.sh");
  if (!text) throw new Error(`no provision.sh: ${JSON.stringify(r.diagnostics)}`);
  return text;
}

const DEPLOYED = `server {
  fn hello() { "hi" }
  route GET "/" => hello
}
deploy "prod" {
  server: "root@example.org"
  domain: "example.org"
}
`;

describe("tova deploy: TOVA_APP_KEY in .env.production", () => {
  const runSecrets = (script: string, prefix: string) =>
    spawnSync("bash", [script, "secrets"], { encoding: "utf8", env: { ...process.env, TOVA_PREFIX: prefix } });

  it("the secrets layer makes the key on the first deploy (64 hex digits, file mode 600) and keeps it on every later one", () => {
    const prefix = mkdtempSync(path.join(work, "server-"));
    const script = path.join(prefix, "provision.sh");
    writeFileSync(script, provision(DEPLOYED));
    const env = path.join(prefix, "opt", "tova", "apps", "myapp", ".env.production");
    mkdirSync(path.dirname(env), { recursive: true }); // what the app layer does before

    const first = runSecrets(script, prefix);
    expect(first.status, first.stderr).toBe(0);
    const key = /^TOVA_APP_KEY=(.*)$/m.exec(readFileSync(env, "utf8"))?.[1];
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(env).mode & 0o777).toBe(0o600);

    expect(runSecrets(script, prefix).status).toBe(0);
    expect(readFileSync(env, "utf8")).toBe(`TOVA_APP_KEY=${key}\n`);

    // Another prefix (another server or app) gets another key.
    const other = mkdtempSync(path.join(work, "server-"));
    writeFileSync(path.join(other, "provision.sh"), provision(DEPLOYED));
    mkdirSync(path.join(other, "opt", "tova", "apps", "myapp"), { recursive: true });
    expect(runSecrets(path.join(other, "provision.sh"), other).status).toBe(0);
    expect(readFileSync(path.join(other, "opt", "tova", "apps", "myapp", ".env.production"), "utf8")).not.toContain(key!);
  });

  it("a key already set (tova env set TOVA_APP_KEY=...) is kept, and the other secrets are still required", () => {
    const prefix = mkdtempSync(path.join(work, "server-"));
    const script = path.join(prefix, "provision.sh");
    writeFileSync(script, provision(DEPLOYED.replace("server {", 'security {\n  auth jwt { secret: env("JWT_SECRET") }\n}\nserver {')));
    const env = path.join(prefix, "opt", "tova", "apps", "myapp", ".env.production");
    mkdirSync(path.dirname(env), { recursive: true });
    const mine = "c".repeat(64);
    writeFileSync(env, `OTHER=1\nTOVA_APP_KEY=${mine}\n`);
    const r = runSecrets(script, prefix);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("missing secrets in");
    expect(r.stderr).toContain("JWT_SECRET");
    expect(readFileSync(env, "utf8")).toBe(`OTHER=1\nTOVA_APP_KEY=${mine}\n`);
  });
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, output: () => string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const EVENTS = `shared {
  type Credit { account: String, amount: Int }
}

server "api" {
  fn pay(account: String, amount: Int) {
    publish("credit", Credit { account: account, amount: amount })
    { sent: true }
  }
  route POST "/pay" => pay
}

server "ledger" {
  var credits = []
  subscribe "credit" fn(c: Credit) {
    credits = [...credits, c]
  }
  fn list() { credits }
  route GET "/credits" => list
}
`;

function start(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; output: () => string } {
  const dir = mkdtempSync(path.join(work, "project-"));
  writeFileSync(path.join(dir, "ev.tova"), EVENTS);
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, TOVA_APP_KEY: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d));
  child.stderr!.on("data", (d: Buffer) => (output += d));
  return { child, output: () => output };
}

describe("tova dev: every server process gets the same key", () => {
  it("an event from one server block reaches the other's typed subscriber; an unsigned one is refused", async () => {
    const base = await freeBase();
    const dev = start(["dev", "ev.tova", "--port", String(base)]);
    const api = `http://127.0.0.1:${base}`;
    const ledger = `http://127.0.0.1:${base + 1}`;
    await until("both servers", async () => ((await fetch(`${api}/healthz`)).ok && (await fetch(`${ledger}/healthz`)).ok ? true : undefined), dev.output);

    const paid = await fetch(`${api}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ account: "ann", amount: 5 }) });
    expect(paid.status).toBe(200);
    const credits = await until("the event", async () => {
      const list = (await (await fetch(`${ledger}/credits`)).json()) as unknown[];
      return list.length > 0 ? list : undefined;
    }, dev.output);
    expect(credits).toEqual([{ account: "ann", amount: 5 }]);

    const forged = await fetch(`${ledger}/rpc/__event`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "credit", data: { account: "eve", amount: 1e6 } }) });
    expect(forged.status).toBe(401);
    expect(await (await fetch(`${ledger}/credits`)).json()).toEqual([{ account: "ann", amount: 5 }]);
    expect(dev.output()).not.toContain("TOVA_APP_KEY is not set");
  }, 60_000);
});
