import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** `tova deploy <env> --plan`: the inferred infrastructure, printed without changing anything. */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."), "dist", "cli", "bin.cjs");
const dir = mkdtempSync(path.join(os.tmpdir(), "tova-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  path.join(dir, "app.tova"),
  `server {
  db { path: "app.db" }
  env API_KEY: String
  fn ping() { "pong" }
}

deploy "prod" {
  server: "tova-test@127.0.0.1"
  domain: "myapp.com"
  instances: 2
  env { NODE_ENV: "production" }
}
`,
);

const tova = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("tova deploy --plan", () => {
  it("prints the inferred plan of the environment and says when the server cannot be reached", () => {
    // Nothing answers SSH for this test user on loopback: the plan still prints.
    const r = tova("deploy", "prod", "--path", "app.tova", "--plan");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Deploy plan for "prod" -> tova-test@127.0.0.1');
    expect(r.stdout).toContain("SQLite (app.db in data/)");
    expect(r.stdout).toContain("1 server block(s) x 2 instance(s) on ports 3000, 3001");
    expect(r.stdout).toContain("myapp.com (auto-SSL)");
    expect(r.stdout).toContain("API_KEY (required)");
    expect(r.stdout).toContain("NODE_ENV=production");
    expect(r.stdout).toMatch(/could not be reached|First deploy/);
  }, 30_000);

  it("an environment the program does not declare is a usage error naming the ones it does", () => {
    const r = tova("deploy", "staging", "--path", "app.tova", "--plan");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no deploy "staging" block');
    expect(r.stderr).toContain('"prod"');
  });

  it("with several hosts: the rollout order, each host's layers, and the shared databases as required secrets", () => {
    writeFileSync(
      path.join(dir, "hosts.tova"),
      `server {\n  db { adapter: "postgres" }\n  model Note { text: String }\n}\n\ndeploy "prod" {\n  server: ["tova-a@127.0.0.1", "tova-b@127.0.0.1"]\n  domain: "myapp.com"\n}\n`,
    );
    const r = tova("deploy", "prod", "--path", "hosts.tova", "--plan");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Deploy plan for "prod" -> tova-a@127.0.0.1, tova-b@127.0.0.1');
    expect(r.stdout).toContain("PostgreSQL (hosts_db, user tova_hosts) (external), Redis (external)");
    expect(r.stdout).toContain("DATABASE_URL (required), REDIS_URL (required)");
    expect(r.stdout).toContain("Rollout:   one host at a time, in this order, each health-checked before the next: tova-a@127.0.0.1, tova-b@127.0.0.1");
    expect(r.stdout).toMatch(/\n  tova-a@127\.0\.0\.1:\n    (The server could not be reached|First deploy)/);
    expect(r.stdout).toMatch(/\n  tova-b@127\.0\.0\.1:\n    (The server could not be reached|First deploy)/);
  }, 60_000);
});
