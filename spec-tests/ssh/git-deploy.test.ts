import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSshd, portBase, startSshd, type Sshd } from "./sshd.js";

/**
 * `tova deploy <env> --setup-git` and `git push` end to end (deploy-blocks.md,
 * section 6): the toolchain is copied to the server, a bare repository gets
 * the post-receive hook, and a push to the deploy block's branch is deployed
 * on the server by the same code as `tova deploy`; a push to another branch is
 * only stored. The toolchain's dependencies come from this checkout's
 * node_modules (linked into the sandbox before --setup-git) because the
 * machine running the tests may not reach the npm registry from "the server".
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = path.join(REPO, "dist", "cli", "bin.cjs");
const VERSION = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
const enabled = hasSshd() || !!process.env["CI"];
let sshd: Sshd;
let work: string;
let project: string;
let base: number;

const program = (version: string) => `server {
  fn version() { "${version}" }
  route GET "/version" => version
}

deploy "prod" {
  server: "tova-test"
  domain: "hooked.example.com"
  branch: "main"
  health_timeout: 5
}
`;

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", env: { ...process.env, ...sshd.env, NO_COLOR: "1", CI: "true", ...env }, timeout: 180_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const git = (...args: string[]) => run("git", args, { GIT_SSH_COMMAND: `ssh -F ${sshd.env["TOVA_SSH_CONFIG"]}` });

function get(port: number, route: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: route, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on("error", reject);
  });
}

const appDir = () => path.join(sshd.prefix, "opt/tova/apps/hooked");
const registry = () => JSON.parse(readFileSync(path.join(sshd.prefix, "opt/tova/registry.json"), "utf8")) as { apps: Record<string, { ports: number[]; version: string }> };

beforeAll(async () => {
  if (!enabled) return;
  sshd = await startSshd();
  base = await portBase();
  work = mkdtempSync(path.join(os.tmpdir(), "tova-git-deploy-"));
  project = path.join(work, "hooked");
  mkdirSync(project);
  const root = path.join(sshd.prefix, "opt/tova");
  mkdirSync(path.join(root, "toolchain", `tova-${VERSION}`), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules"), path.join(root, "toolchain", `tova-${VERSION}`, "node_modules"));
  writeFileSync(path.join(root, "registry.json"), JSON.stringify({ apps: {}, next_port: base, first_port: base }));
  writeFileSync(path.join(project, "hooked.tova"), program("v1"));
  git("init", "-q", "-b", "main");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty");
  git("add", "hooked.tova");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v1");
}, 60_000);

afterAll(async () => {
  if (!enabled) return;
  await sshd.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)("tova deploy --setup-git", () => {
  it("copies the toolchain, creates the bare repository and its hook, and adds the git remote", () => {
    const r = run(process.execPath, [CLI, "deploy", "prod", "--setup-git", "--path", "hooked.tova"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`Tova ${VERSION} toolchain in /opt/tova/toolchain`);
    expect(r.out).toContain("Installing post-receive hook");
    expect(r.out).toContain("git push prod main");
    const hook = readFileSync(path.join(appDir(), "repo.git/hooks/post-receive"), "utf8");
    expect(hook).toContain("BRANCH=main");
    expect(existsSync(path.join(sshd.prefix, "opt/tova/toolchain", `tova-${VERSION}`, "dist/cli/bin.cjs"))).toBe(true);
    expect(git("remote", "get-url", "prod").out.trim()).toBe(`tova-test:${path.join(appDir(), "repo.git")}`);
    // Running it again keeps the remote and the repository.
    expect(run(process.execPath, [CLI, "deploy", "prod", "--setup-git", "--path", "hooked.tova"]).status).toBe(0);
  }, 120_000);

  it("a push to another branch is stored and not deployed", () => {
    git("checkout", "-q", "-b", "feature");
    const r = git("push", "prod", "feature");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("Received push to feature: stored; only main deploys to prod");
    expect(existsSync(path.join(appDir(), "current"))).toBe(false);
    git("checkout", "-q", "main");
  }, 60_000);

  it("a push to the deploy branch builds and deploys on the server, and a second push deploys the next release", async () => {
    const first = git("push", "prod", "main");
    expect(first.status, first.out).toBe(0);
    expect(first.out).toContain("[tova] Received push to main");
    expect(first.out).toContain("Live at https://hooked.example.com (v1)");
    const port = registry().apps["hooked"]!.ports[0]!;
    expect(port).toBe(base);
    expect((await get(port, "/version")).text).toContain("v1");

    writeFileSync(path.join(project, "hooked.tova"), program("v2"));
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "v2");
    const second = git("push", "prod", "main");
    expect(second.status, second.out).toBe(0);
    expect(second.out).toContain("Live at https://hooked.example.com (v2)");
    expect(readlinkSync(path.join(appDir(), "current"))).toBe("releases/v2");
    expect((await get(port, "/version")).text).toContain("v2");
  }, 240_000);
});
