import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `tova build`'s steps (issue 14): at a terminal (here a pseudo-terminal made
 * by util-linux's `script`), each step is drawn while it runs and ends with a
 * tick and its duration; in CI (`CI=true`) or with `--quiet`, one plain line
 * per step.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const dir = mkdtempSync(path.join(os.tmpdir(), "tova-progress-"));
writeFileSync(path.join(dir, "app.tova"), 'server {\n  fn hello() -> String { "hi" }\n\n  route GET "/hello" => hello\n}\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { CI: _ci, NO_COLOR: _nc, FORCE_COLOR: _fc, ...env } = process.env;
const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "\n");
const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0;

describe("tova build's steps", () => {
  it.skipIf(!hasScript && !process.env.CI)("at a terminal: each step drawn while it runs, then ticked with its duration", () => {
    const run = spawnSync("script", ["-qec", `stty cols 100 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} build app.tova --no-typecheck --out out-tty`, "/dev/null"], { cwd: dir, env, encoding: "utf8" });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const out = plain(run.stdout);
    expect(out).toMatch(/Checking 1 file, 5 lines\.\.\./); // shown while it runs
    expect(out).toMatch(/✔ Checked 1 file, 5 lines \(\d+ ms\)/);
    expect(out).toMatch(/✔ Transpiled 2 modules \(\d+ ms\)/);
    expect(out).toMatch(/✔ Wrote \d+ files into out-tty\/ \(\d+ ms\)/);
  });

  it("in CI, and with --quiet at a terminal, plain lines", () => {
    const ci = spawnSync(process.execPath, [CLI, "build", "app.tova", "--no-typecheck", "--out", "out-ci"], { cwd: dir, env: { ...env, CI: "true" }, encoding: "utf8" });
    expect(ci.status).toBe(0);
    const lines = ci.stdout.split("\n").filter((l) => / \(\d+ ms\)$/.test(l));
    expect(lines.map((l) => l.replace(/ \(\d+ ms\)$/, ""))).toEqual(["Read the program", "Checked 1 file, 5 lines", "Transpiled 2 modules", expect.stringMatching(/^Wrote \d+ files into out-ci\/$/)]);
    expect(ci.stdout).not.toContain("\u001b[");
    if (!hasScript) return;
    const quiet = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} build app.tova --no-typecheck --quiet --out out-quiet`, "/dev/null"], { cwd: dir, env, encoding: "utf8" });
    expect(plain(quiet.stdout)).toMatch(/^Checked 1 file, 5 lines \(\d+ ms\)$/m);
    expect(plain(quiet.stdout)).not.toContain("✔");
  });

  it("counts a last line without a line break, and says `1 line`", () => {
    const counted = (text: string) => {
      writeFileSync(path.join(dir, "count.tova"), text);
      const r = spawnSync(process.execPath, [CLI, "build", "count.tova", "--no-typecheck", "--out", "out-count"], { cwd: dir, env: { ...env, CI: "true" }, encoding: "utf8" });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      return /Checked 1 file, ([\d,]+ lines?)/.exec(r.stdout)?.[1];
    };
    expect(counted("x = 1")).toBe("1 line");
    expect(counted("x = 1\n")).toBe("1 line");
    expect(counted("x = 1\ny = 2")).toBe("2 lines");
    expect(counted("x = 1\n\ny = 2\n")).toBe("3 lines");
  });
});
