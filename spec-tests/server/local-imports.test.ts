import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, start, stopAll } from "./harness.js";

/**
 * `import x from "./file.js"` (language.md, "import"): the program's own
 * modules are dynamically typed like npm modules, bundled with their own
 * relative imports beside the emitted code, so a built (or deployed) output
 * directory runs on its own; a missing or unplaceable one is an E0120 at the
 * import, not a compiler bug.
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(tmpdir(), "tova-local-imports-"));
afterEach(stopAll);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function tova(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout + r.stderr };
}

const APP = `import { slugify } from "./helpers.js"
import shout from "./lib/shout.ts"

server {
  fn slug(title: String) { slugify(title) }
  fn loud(text: String) { shout(text) }
}
`;

describe("local modules", () => {
  it("are type-checked as dynamic, bundled with their own imports beside the output, and run from there", async () => {
    const dir = project("ok", {
      "app.tova": APP,
      "helpers.js": `import { dash } from "./lib/dash.js";\nexport function slugify(s) { return s.toLowerCase().split(" ").join(dash); }\n`,
      "lib/dash.js": `export const dash = "-";\n`,
      "lib/shout.ts": `export default function shout(s: string): string { return s.toUpperCase() + "!"; }\n`,
    });
    const built = tova(dir, "build", "app.tova", "--out", "out");
    expect(built.code, built.out).toBe(0);
    expect(built.out).toContain("wrote out/helpers.js");
    // The module that uses it keeps the specifier as written; the shared module, which does not, leaves it out
    // (so a module only servers use never reaches a browser through it).
    expect(readFileSync(path.join(dir, "out/app.server.js"), "utf8")).toContain('from "./helpers.js"');
    expect(readFileSync(path.join(dir, "out/app.shared.js"), "utf8")).not.toContain("helpers.js");
    expect(readFileSync(path.join(dir, "out/helpers.js"), "utf8")).toContain('"-"');
    // The output directory runs by itself, moved away from the sources.
    const moved = path.join(work, "moved-out");
    spawnSync("cp", ["-r", path.join(dir, "out"), moved]);
    const server = await start(path.join(moved, "app.server.js"));
    expect((await call(`${server.url}/rpc/slug`, { method: "POST", json: { __args: ["Hello Big World"] } })).body.result).toBe("hello-big-world");
    expect((await call(`${server.url}/rpc/loud`, { method: "POST", json: { __args: ["hi"] } })).body.result).toBe("HI!");
  }, 60_000);

  it("a changed local module is rebuilt even though no .tova file changed", () => {
    const dir = project("cache", { "app.tova": `import { n } from "./n.js"\nserver {\n  fn f() { n }\n}\n`, "n.js": "export const n = 1;\n" });
    expect(tova(dir, "build", "app.tova", "--out", "out").code).toBe(0);
    expect(tova(dir, "build", "app.tova", "--out", "out").out).toContain("up to date");
    writeFileSync(path.join(dir, "n.js"), "export const n = 2;\n");
    const again = tova(dir, "build", "app.tova", "--out", "out");
    expect(again.out).not.toContain("up to date");
    expect(readFileSync(path.join(dir, "out/n.js"), "utf8")).toContain("n = 2");
  }, 60_000);

  it("a missing module, one outside the directory, and one with a syntax error are E0120 at the import", () => {
    const missing = tova(project("missing", { "app.tova": `import { a } from "./nope.js"\nserver {\n  fn f() { a }\n}\n` }), "build", "app.tova");
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/app\.tova:1:1: error\[E0120\]: cannot find the local module "\.\/nope\.js"/);
    expect(missing.out).not.toContain("E0900");

    const outside = tova(project("outside/app", { "app.tova": `import { a } from "../x.js"\nserver {\n  fn f() { a }\n}\n`, "../x.js": "export const a = 1;\n" }), "build", "app.tova");
    expect(outside.code).toBe(1);
    expect(outside.out).toContain("error[E0120]: the local module \"../x.js\" is outside this file's directory");

    const broken = tova(project("broken", { "app.tova": `import { a } from "./bad.js"\nserver {\n  fn f() { a }\n}\n`, "bad.js": "export const a = ;\n" }), "build", "app.tova");
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/error\[E0120\]: the local module bad\.js cannot be bundled: bad\.js:1:18: Unexpected ;/);
    expect(broken.out).not.toMatch(/\n\s+at /);
  }, 60_000);
});
