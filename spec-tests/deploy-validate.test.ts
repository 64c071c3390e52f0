import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { postReceiveHook } from "../backends/deploy/git-hook.js";
import * as remote from "../backends/deploy/remote.js";
import { compile } from "../compile.js";

/**
 * The rendered deploy artifacts pass the real tools: `shellcheck` with no
 * finding, `caddy validate`, and `systemd-analyze verify` with nothing on
 * stderr (it exits 0 on unknown keys). `.ci/run` installs the tools; on a
 * machine without them these tests are skipped, and in CI they are required.
 */
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), "deploy-samples");
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const required = !!process.env["CI"];
const tmp = mkdtempSync(path.join(os.tmpdir(), "tova-deploy-validate-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const targets = readdirSync(SAMPLES).flatMap((name) => {
  const text = readFileSync(path.join(SAMPLES, name, "input.tova"), "utf8");
  const outputs = compile([{ path: "input.tova", text }], { stem: "myapp", emit: ["deploy"] }).outputs;
  const envs = [...new Set([...outputs.keys()].map((p) => p.split("/")[1]!))];
  return envs.map((env) => ({ name: `${name} ${env}`, files: new Map([...outputs].filter(([p]) => p.startsWith(`deploy/${env}/`)).map(([p, t]) => [p.split("/").pop()!, t])) }));
});

describe("deploy artifacts pass the real tools", () => {
  it("the tools are installed in CI", () => {
    if (required) for (const tool of ["shellcheck", "caddy", "systemd-analyze"]) expect(has(tool), tool).toBe(true);
  });

  for (const t of targets) {
    it.skipIf(!has("shellcheck") && !required)(`shellcheck: ${t.name}`, () => {
      const file = path.join(tmp, `${t.name.replace(/\W+/g, "-")}-provision.sh`);
      writeFileSync(file, t.files.get("provision.sh")!);
      const r = spawnSync("shellcheck", ["-S", "style", file], { encoding: "utf8" });
      expect(r.stdout + r.stderr).toBe("");
    });

    for (const script of [...t.files.keys()].filter((f) => f.startsWith("db-host-"))) {
      it.skipIf(!has("shellcheck") && !required)(`shellcheck: ${t.name} ${script}`, () => {
        const file = path.join(tmp, `${t.name.replace(/\W+/g, "-")}-${script}`);
        writeFileSync(file, t.files.get(script)!);
        const r = spawnSync("shellcheck", ["-S", "style", file], { encoding: "utf8" });
        expect(r.stdout + r.stderr).toBe("");
      });
    }

    it.skipIf(!has("caddy") && !required)(`caddy validate: ${t.name}`, () => {
      const site = [...t.files.keys()].find((f) => f.endsWith(".caddy"))!;
      const file = path.join(tmp, `${t.name.replace(/\W+/g, "-")}.caddy`);
      writeFileSync(file, t.files.get(site)!);
      const r = spawnSync("caddy", ["validate", "--config", file, "--adapter", "caddyfile"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain("Valid configuration");
    });

    it.skipIf(!has("systemd-analyze") && !required)(`systemd-analyze verify: ${t.name}`, () => {
      // A root with the system's own units, the units under test, and stand-ins for the programs they start.
      const root = path.join(tmp, `${t.name.replace(/\W+/g, "-")}-root`);
      mkdirSync(path.join(root, "etc/systemd/system"), { recursive: true });
      mkdirSync(path.join(root, "usr/lib/systemd"), { recursive: true });
      cpSync("/usr/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true });
      const exec = (p: string) => {
        mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
        writeFileSync(path.join(root, p), "#!/bin/sh\n");
        chmodSync(path.join(root, p), 0o755);
      };
      exec("usr/local/bin/bun");
      const units: string[] = [];
      for (const [name, text] of t.files) {
        if (!/\.(service|timer)$/.test(name)) continue;
        writeFileSync(path.join(root, "etc/systemd/system", name), text);
        const health = /ExecStart=(\S+health-check\.sh)/.exec(text);
        if (health) exec(health[1]!.slice(1));
        units.push(name.replace("@.service", "@3000.service"));
      }
      expect(existsSync(path.join(root, "usr/lib/systemd/system/sysinit.target"))).toBe(true);
      const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, ...units], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }

  // The short scripts `tova deploy` runs over ssh, and the post-receive hook of --setup-git.
  const units = ["tova-myapp@3000.service", "tova-myapp@3001.service"];
  const scripts: Record<string, string> = {
    lock: remote.lockScript("myapp", "alice@laptop (pid 42)"),
    state: remote.stateScript("myapp"),
    unlock: remote.unlockScript(),
    provision: remote.provisionScript("myapp", "v3", ["app", "services"]),
    dataFiles: remote.dataFilesScript("myapp", "v3"),
    setEnv: remote.setEnvScript("myapp", [["API_KEY", "it's $secret"]]),
    listEnv: remote.listEnvScript("myapp"),
    activate: remote.activateScript("myapp", "v3"),
    switch: remote.switchScript("myapp", "v2"),
    releaseManifest: remote.releaseManifestScript("myapp", "v2"),
    installDependencies: remote.installDependenciesScript("myapp", "v3"),
    stopUnits: remote.stopUnitsScript(units),
    restart: remote.restartScript("myapp"),
    health: remote.healthScript(units.map((unit, i) => ({ port: 3000 + i, unit })), "/healthz", 10),
    prune: remote.pruneScript("myapp", 5),
    discard: remote.discardScript("myapp", "v3"),
    writeRegistry: remote.writeRegistryScript('{"apps":{}}\n'),
    status: remote.statusScript("myapp", units, "/healthz"),
    list: remote.listScript(),
    remove: remote.removeScript("myapp", units, ["tova-myapp@.service"], { database: "myapp_db", user: "tova_myapp", port: 5433 }, "20261122-1800"),
    setupGit: remote.setupGitScript("myapp", "#!/bin/sh\n"),
    installToolchain: remote.installToolchainScript("0.1.0"),
    hook: postReceiveHook({ app: "myapp", env: "prod", branch: "main", path: "app/main.tova", toolchain: "toolchain/tova-0.1.0" }),
  };
  for (const [name, text] of Object.entries(scripts)) {
    it.skipIf(!has("shellcheck") && !required)(`shellcheck: remote ${name} script`, () => {
      const file = path.join(tmp, `remote-${name}.sh`);
      writeFileSync(file, text.startsWith("#!") ? text : `#!/usr/bin/env bash\n${text}`);
      const r = spawnSync("shellcheck", ["-S", "style", file], { encoding: "utf8" });
      expect(r.stdout + r.stderr).toBe("");
    });
  }
});
