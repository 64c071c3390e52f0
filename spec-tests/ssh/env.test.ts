import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSshd, startSshd, type Sshd } from "./sshd.js";

/** `tova env` and `tova deploy --plan` against a real sshd on loopback. */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const enabled = hasSshd() || !!process.env["CI"];
let sshd: Sshd;
let project: string;

const tova = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: project, encoding: "utf8", env: { ...process.env, ...sshd.env, NO_COLOR: "1" } });

beforeAll(async () => {
  if (!enabled) return;
  sshd = await startSshd();
  project = mkdtempSync(path.join(os.tmpdir(), "tova-env-project-"));
  writeFileSync(
    path.join(project, "myapp.tova"),
    `server {\n  env API_KEY: String\n  fn ping() { "pong" }\n}\n\ndeploy "prod" {\n  server: "tova-test"\n  domain: "myapp.com"\n}\n`,
  );
}, 30_000);

afterAll(async () => {
  if (!enabled) return;
  await sshd.stop();
  rmSync(project, { recursive: true, force: true });
});

describe.skipIf(!enabled)("over ssh", () => {
  const envFile = () => path.join(sshd.prefix, "opt/tova/apps/myapp/.env.production");

  it("tova env set writes .env.production (mode 600), replacing a key instead of repeating it", () => {
    expect(tova("env", "prod", "set", "API_KEY=first", "--path", "myapp.tova").status).toBe(0);
    const r = tova("env", "prod", "set", "API_KEY=it's $ecret; rm -rf /", "--path", "myapp.tova");
    expect(r.status, r.stderr).toBe(0);
    expect(tova("env", "prod", "set", "OTHER=2", "--path", "myapp.tova").status).toBe(0);
    expect(readFileSync(envFile(), "utf8")).toBe("API_KEY=it's $ecret; rm -rf /\nOTHER=2\n");
    expect(statSync(envFile()).mode & 0o777).toBe(0o600);
  });

  it("tova env list prints names only, never values", () => {
    const r = tova("env", "prod", "list", "--path", "myapp.tova");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("API_KEY\nOTHER\n");
    expect(r.stdout).not.toContain("ecret");
  });

  it("a bad assignment is a usage error and changes nothing", () => {
    const before = readFileSync(envFile(), "utf8");
    const r = tova("env", "prod", "set", "not-a-key", "--path", "myapp.tova");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KEY=value");
    expect(readFileSync(envFile(), "utf8")).toBe(before);
  });

  it("tova deploy --plan compares with the manifest of the last deploy on the server", () => {
    const first = tova("deploy", "prod", "--path", "myapp.tova", "--plan");
    expect(first.stdout).toContain("First deploy: every layer runs.");
    // The manifest a deploy leaves in the current release: the rendered one.
    const built = spawnSync(process.execPath, [CLI, "build", "myapp.tova", "--emit", "deploy", "--out", "out"], { cwd: project, encoding: "utf8" });
    expect(built.status, built.stdout).toBe(0);
    const release = path.join(sshd.prefix, "opt/tova/apps/myapp/current");
    spawnSync("mkdir", ["-p", release]);
    writeFileSync(path.join(release, ".tova-manifest.json"), readFileSync(path.join(project, "out/deploy/prod/.tova-manifest.json")));
    const again = tova("deploy", "prod", "--path", "myapp.tova", "--plan");
    expect(again.stdout).toContain("No changes from last deploy: system, databases, app, secrets, proxy, services");
    expect(existsSync(path.join(sshd.prefix, "opt/tova/apps/myapp/.env.production"))).toBe(true);
  });
});
