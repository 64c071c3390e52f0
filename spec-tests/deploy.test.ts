import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.js";
import { render } from "../diagnostics/render.js";

/**
 * Golden tests of the deploy backend: each `deploy-samples/<name>/input.tova`
 * renders every artifact of every deploy block (`deploy/<env>/...`), compared
 * with `_expected/`. `UPDATE_SNAPSHOTS=1` rewrites them (review like code).
 */
const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), "deploy-samples");
const update = process.env["UPDATE_SNAPSHOTS"] === "1";

function artifacts(text: string): Map<string, string> {
  const r = compile([{ path: "input.tova", text }], { stem: "myapp", emit: ["deploy"] });
  expect(render(r.diagnostics.filter((d) => d.severity === "error"), new Map([["input.tova", text]]))).toBe("");
  return r.outputs;
}

/** Every file below `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

describe("deploy artifacts", () => {
  for (const name of readdirSync(SAMPLES).sort()) {
    it(name, () => {
      const dir = join(SAMPLES, name);
      const actual = artifacts(readFileSync(join(dir, "input.tova"), "utf8"));
      const expectedDir = join(dir, "_expected");
      if (update) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const [p, text] of actual) {
          mkdirSync(dirname(join(expectedDir, p)), { recursive: true });
          writeFileSync(join(expectedDir, p), text);
        }
        return;
      }
      const expected = existsSync(expectedDir) ? filesUnder(expectedDir) : [];
      expect([...actual.keys()].sort()).toEqual(expected.sort());
      for (const p of expected) expect(actual.get(p), `${name}/_expected/${p}`).toBe(readFileSync(join(expectedDir, p), "utf8"));
    });
  }

  it("renders each environment from its own block: nothing of staging leaks into prod", () => {
    const out = artifacts(readFileSync(join(SAMPLES, "single-server", "input.tova"), "utf8"));
    expect(out.get("deploy/prod/myapp.caddy")).toContain("myapp.com {");
    expect(out.get("deploy/prod/myapp.caddy")).not.toContain("staging");
    expect(out.get("deploy/prod/tova-myapp@.service")).toContain("NODE_ENV=production");
    expect(out.get("deploy/staging/tova-myapp-staging@.service")).not.toContain("NODE_ENV");
    expect(out.get("deploy/staging/myapp-staging.caddy")).toContain("reverse_proxy localhost:3000 {");
  });

  it("two environments on one server are two apps there: own directory, units, site and database", () => {
    const out = artifacts(readFileSync(join(SAMPLES, "git-branches", "input.tova"), "utf8"));
    expect(out.get("deploy/prod/provision.sh")).toContain("\nAPP=myapp\n");
    expect(out.get("deploy/staging/provision.sh")).toContain("\nAPP=myapp-staging\n");
    expect(out.has("deploy/staging/tova-myapp-staging@.service")).toBe(true);
    expect(out.get("deploy/staging/myapp-staging.caddy")).toContain("staging.myapp.com {");
    const pg = compile([{ path: "input.tova", text: readFileSync(join(SAMPLES, "databases", "input.tova"), "utf8").replace('deploy "prod"', 'deploy "staging"') }], { stem: "myapp", emit: ["deploy"] });
    expect(pg.outputs.get("deploy/staging/provision.sh")).toContain("myapp_prod"); // an explicit name is kept
    const inferred = compile([{ path: "input.tova", text: 'server {\n  db { adapter: "postgres" }\n  fn f() { 1 }\n}\ndeploy "staging" {\n  server: "s"\n  domain: "d.com"\n}\n' }], { stem: "myapp", emit: ["deploy"] });
    expect(inferred.outputs.get("deploy/staging/provision.sh")).toContain("myapp_staging_db");
  });

  it("with several instances, each unit is told every instance port of the other blocks (PORTS_<NAME>)", () => {
    const out = artifacts('server "api" {\n  discover "worker" at "http://localhost:3001"\n  fn f() { worker.g() }\n}\nserver "worker" {\n  fn g() { 1 }\n}\ndeploy "prod" {\n  server: "s"\n  domain: "d.com"\n  instances: 2\n}\n');
    const api = out.get("deploy/prod/tova-myapp-api@.service")!;
    expect(api).toContain("Environment=PORT_WORKER=3002\n");
    expect(api).toContain("Environment=PORTS_WORKER=3002,3003\n");
    expect(out.get("deploy/prod/tova-myapp-worker@.service")).toContain("Environment=PORTS_API=3000,3001\n");
  });

  it("provision.sh is valid bash", () => {
    const dir = mkdtempSync(join(os.tmpdir(), "tova-provision-"));
    try {
      for (const name of readdirSync(SAMPLES)) {
        for (const [p, text] of artifacts(readFileSync(join(SAMPLES, name, "input.tova"), "utf8"))) {
          if (!p.endsWith("provision.sh")) continue;
          const file = join(dir, `${name}-${p.replace(/\//g, "-")}`);
          writeFileSync(file, text);
          const r = spawnSync("bash", ["-n", file], { encoding: "utf8" });
          expect(r.stderr, `${name} ${p}`).toBe("");
          expect(r.status).toBe(0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
