import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cacheRoot } from "../cli/typecheck-cache.js";

/**
 * The `tova` command's code cache (cli/bin.cts): the CLI bundle compiled with
 * V8's cached bytecode of the previous run of the same command. It must
 * change nothing a command does or prints: a first run, a cached run, a run
 * with a corrupt or an unwritable cache and a run with the cache off answer
 * alike. Each test has its own cache directory.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "tova-codecache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BAD = `fn f(s: String) -> Int {\n  s + 1\n}\n`;
const GOOD = `fn hello() {\n  { message: "hi" }\n}\n\nroute GET "/hello" => hello\n`;
writeFileSync(path.join(work, "bad.tova"), BAD);
writeFileSync(path.join(work, "good.tova"), GOOD);

let n = 0;
const freshDir = () => path.join(work, `c${n++}`);

function tova(env: Record<string, string>, ...args: string[]) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true" };
  delete base.TOVA_CACHE_DIR;
  delete base.XDG_CACHE_HOME;
  delete base.TOVA_CODE_CACHE;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env: { ...base, ...env }, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

const files = (dir: string) => (existsSync(path.join(dir, "v8")) ? readdirSync(path.join(dir, "v8")).sort() : []);

describe("the code cache", () => {
  it("is written by a command's first run, one file per command, private to its owner, and read by the next", () => {
    const cache = freshDir();
    const plain = tova({ TOVA_CACHE_DIR: cache, TOVA_CODE_CACHE: "off" }, "check", "bad.tova");
    expect(files(cache)).toEqual([]);
    expect(plain.status).toBe(1);
    expect(plain.out).toMatch(/^bad\.tova:2:\d+: error\[E0206\]/m);

    const first = tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova");
    expect(first).toEqual(plain);
    const [file, ...more] = files(cache);
    expect(more).toEqual([]);
    expect(file).toMatch(new RegExp(`^cli-${process.version.replace(/\./g, "\\.")}-${process.arch}-\\d+-\\d+-check\\.bin$`));
    const entry = path.join(cache, "v8", file!);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(cache, "v8")).mode & 0o777).toBe(0o700);
    const written = statSync(entry).mtimeMs;

    const second = tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova");
    expect(second).toEqual(plain);
    expect(statSync(entry).mtimeMs).toBe(written); // accepted, not written again

    const build = tova({ TOVA_CACHE_DIR: cache }, "build", "good.tova", "--out", path.join(work, `out${n}`), "--no-typecheck", "--quiet");
    expect(build.status).toBe(0);
    expect(files(cache).map((f) => f.replace(/^cli-.*-(\w+)\.bin$/, "$1"))).toEqual(["build", "check"]);
  });

  it("code the cached run never reached still runs: --emit ts loads prettier after a cache made without it", () => {
    const cache = freshDir();
    const out = path.join(work, `out${n++}`);
    expect(tova({ TOVA_CACHE_DIR: cache }, "build", "good.tova", "--out", out, "--no-typecheck", "--quiet").status).toBe(0);
    const r = tova({ TOVA_CACHE_DIR: cache }, "build", "good.tova", "--out", out, "--no-typecheck", "--quiet", "--emit", "ts");
    expect(r.out).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(existsSync(path.join(out, "good.server.ts"))).toBe(true);
  });

  it("`tova check` runs from a bundle without the other commands, which still run from it through tsc's modules", () => {
    const whole = path.join(ROOT, "dist", "cli", "tova.bundle.cjs");
    const check = path.join(ROOT, "dist", "cli", "tova-check.bundle.cjs");
    expect(statSync(check).size).toBeLessThan(statSync(whole).size * 0.6);
    // No emitter in it: `tova check` never loads the backends.
    expect(readFileSync(check, "utf8")).not.toMatch(/function emitTypeScript\b/);
    expect(readFileSync(whole, "utf8")).toMatch(/function emitTypeScript\b/);
    // Given another command, it is not wrong, only slower.
    const out = path.join(work, `out${n++}`);
    const argv = ["x", "build", "good.tova", "--out", out, "--no-typecheck", "--quiet"];
    const r = spawnSync(process.execPath, ["-e", `process.argv = [process.argv[0], ...${JSON.stringify(argv)}]; require(${JSON.stringify(check)})`], { cwd: work, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "true" } });
    expect(r.stderr).not.toMatch(/internal error|Error:/);
    expect(r.status).toBe(0);
    expect(existsSync(path.join(out, "good.server.js"))).toBe(true);
  });

  it("a corrupt cache file is rejected, compiled without, and replaced", () => {
    const cache = freshDir();
    const plain = tova({ TOVA_CACHE_DIR: cache, TOVA_CODE_CACHE: "off" }, "check", "bad.tova");
    tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova");
    const [file] = files(cache);
    const entry = path.join(cache, "v8", file!);
    writeFileSync(entry, Buffer.alloc(4096, 7));
    expect(tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova")).toEqual(plain);
    expect(statSync(entry).size).not.toBe(4096);
    expect(tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova")).toEqual(plain);
  });

  it("keeps the files of the three other bundles or Node versions last written, and removes older ones", () => {
    const cache = freshDir();
    const dir = path.join(cache, "v8");
    mkdirSync(dir, { recursive: true });
    // Five other bundles, written an hour apart (another project's Tova, an older build); two files for the oldest.
    const others = [1, 2, 3, 4, 5].map((i) => `cli-v0.0.${i}-x64-100-100-`);
    others.forEach((prefix, i) => {
      for (const command of i === 0 ? ["check", "build"] : ["check"]) {
        const file = path.join(dir, `${prefix}${command}.bin`);
        writeFileSync(file, "old");
        const at = new Date(Date.now() - (10 - i) * 3600_000);
        utimesSync(file, at, at);
      }
    });
    writeFileSync(path.join(dir, "unrelated.txt"), "kept");
    tova({ TOVA_CACHE_DIR: cache }, "check", "bad.tova");
    const left = files(cache);
    expect(left).toContain("unrelated.txt");
    expect(others.filter((prefix) => left.some((f) => f.startsWith(prefix)))).toEqual(others.slice(2));
    expect(left.filter((f) => f.startsWith("cli-") && !others.some((prefix) => f.startsWith(prefix)))).toHaveLength(1);
  });

  it("a cache directory that cannot be written changes nothing but the speed", () => {
    const blocker = path.join(work, `file${n++}`);
    writeFileSync(blocker, "a file where the cache directory would be");
    const plain = tova({ TOVA_CACHE_DIR: freshDir(), TOVA_CODE_CACHE: "off" }, "check", "bad.tova");
    expect(tova({ TOVA_CACHE_DIR: blocker }, "check", "bad.tova")).toEqual(plain);
    expect(tova({ TOVA_CACHE_DIR: path.join(blocker, "below") }, "check", "bad.tova")).toEqual(plain);
  });

  it("lives where the type-check cache lives: $TOVA_CACHE_DIR, else $XDG_CACHE_HOME/tova, else ~/.cache/tova", () => {
    const xdg = freshDir();
    tova({ XDG_CACHE_HOME: xdg }, "check", "bad.tova");
    expect(files(cacheRoot({ XDG_CACHE_HOME: xdg }))).toHaveLength(1);
    expect(cacheRoot({ XDG_CACHE_HOME: xdg })).toBe(path.join(xdg, "tova"));

    const home = freshDir();
    tova({ HOME: home }, "check", "bad.tova");
    expect(files(path.join(home, ".cache", "tova"))).toHaveLength(1);
    expect(path.relative(os.homedir(), cacheRoot({}))).toBe(path.join(".cache", "tova"));
  });
});
