import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "./server/harness.js";

/**
 * A failure of what the program asked for at run time (runtime/stdlib/
 * program-error.ts): a file that is not there, not the JSON its name says, of
 * a type Tova does not read. Uncaught, it ends `tova run` with one line at its
 * place in the .tova source and exit code 1, never a stack trace; inside a
 * request it is that request's 500, and the server goes on.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "tova-progerr-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(stopAll);
afterAll(cleanDirs);

let n = 0;
function run(src: string, files: Record<string, string> = {}) {
  const dir = path.join(work, `p${n++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(path.join(dir, "app.tova"), src);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const r = spawnSync(process.execPath, [CLI, "run", "app.tova", "--no-typecheck"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true", NO_COLOR: "1" }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("a program's own failure at run time is one line at its place", () => {
  it("`read` of a missing file", () => {
    const r = run(`rows = read("missing.csv")\nprint(len(rows))\n`);
    expect(r.stderr).toBe(`app.tova:1:8: error: cannot read "missing.csv": no such file\n`);
    expect(r.status).toBe(1);
  });

  it("`for batch in stream(...)` of a missing file names the line of the stream, not the runtime's", () => {
    const r = run(`print("before")\nfor batch in stream("missing.csv", batch: 2) {\n  print(len(batch))\n}\n`);
    expect(r.stdout).toContain("before");
    expect(r.stderr).toBe(`app.tova:2:14: error: cannot read "missing.csv": no such file\n`);
    expect(r.status).toBe(1);
  });

  it("a `stream` of a directory (found only at the first read)", () => {
    const dir = path.join(work, `dir${n}`);
    mkdirSync(path.join(dir, "rows.csv"), { recursive: true });
    const r = run(`for batch in stream("${path.join(dir, "rows.csv")}", batch: 2) {\n  print(len(batch))\n}\n`);
    expect(r.stderr).toMatch(/^app\.tova:1:14: error: cannot read ".*rows\.csv": it is a directory\n$/);
    expect(r.status).toBe(1);
  });

  it("`stream(...) |> each(...)` (scaling.md) of a missing file", () => {
    const r = run(`stream("huge_file.csv", batch: 10000)\n  |> each(fn(batch) {\n    write(batch, "output.csv", append: true)\n  })\n`);
    expect(r.stderr).toMatch(/^app\.tova:1:\d+: error: cannot read "huge_file\.csv": no such file\n$/);
    expect(r.status).toBe(1);
  });

  it("a file that is not the JSON its name says, and a file type Tova does not write", () => {
    const bad = run(`rows = read("rows.json")\nprint(rows)\n`, { "rows.json": "[1, 2,\n" });
    expect(bad.stderr).toMatch(/^app\.tova:1:8: error: "rows\.json" is not valid JSON: .+\n$/);
    expect(bad.status).toBe(1);
    const type = run(`write([{ a: 1 }], "out.txt")\n`);
    expect(type.stderr).toBe(`app.tova:1:1: error: "out.txt" is not a file type Tova reads or writes: name it .csv, .json or .jsonl\n`);
    expect(type.status).toBe(1);
  });

  it("a list function given a String through an untyped parameter", () => {
    const r = run(`fn initial(w) { w |> take(1) |> join("") }\nprint(initial("hello"))\n`);
    expect(r.stderr).toMatch(/^app\.tova:1:\d+: error: `take` takes a list, but was given a String\n$/);
    expect(r.status).toBe(1);
  });

  it("the friendly program next to them runs as before", () => {
    const r = run(`for batch in stream("rows.csv", batch: 2) {\n  print(len(batch))\n}\nprint(len(read("rows.csv")))\n`, { "rows.csv": "id\n1\n2\n3\n" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("2\n1\n3\n");
    expect(r.status).toBe(0);
  });
});

describe("inside a request", () => {
  it("a missing file is that request's 500; the server goes on answering", async () => {
    const built = await buildProgram(`server {
  fn rows(name: String) -> Int { len(read("{name}.csv")) }
  route GET "/rows/:name" => rows
}`);
    writeFileSync(path.join(built.dir, "here.csv"), "id\n1\n2\n");
    const s = await start(built.file("server"), { cwd: built.dir });
    expect((await call(`${s.url}/rows/missing`)).status).toBe(500);
    const ok = await call(`${s.url}/rows/here`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(2);
    expect(s.output()).not.toMatch(/\n\s+at /);
  });
});
