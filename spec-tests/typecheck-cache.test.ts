import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { compile, type EmittedModule } from "../compile.js";
import { mapTypeErrors, type TsError } from "../backends/typescript/source-map.js";
import { PACKAGE_ROOT, RUNTIME_DIR } from "../cli/toolchain.js";
import { typecheck } from "../cli/typecheck.js";

/**
 * The type-check's cache (cli/typecheck-cache.ts): a module is checked once
 * for a given content and what it is checked with; a later build, into the
 * same output directory or another, takes its errors from the cache. Seen
 * through `TOVA_DEBUG=typecheck`, which prints one line per module: `checked`
 * or `unchanged, not checked (cache)`. Each test has its own `TOVA_CACHE_DIR`.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "tova-tccache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Three modules: the shared one (`hello`), and one per server block.
const PROGRAM = `fn hello() {
  { message: "hi" }
}

server "a" {
  fn one() -> Int { 1 }
  route GET "/one" => one
}

server "b" {
  fn two() -> Int { 2 }
  route GET "/two" => two
}
`;

let n = 0;
function fresh(): { dir: string; cache: string } {
  const dir = path.join(work, `p${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "app.tova"), PROGRAM);
  return { dir, cache: path.join(dir, "cache") };
}

function build(dir: string, cache: string, out: string) {
  const r = spawnSync(process.execPath, [CLI, "build", "app.tova", "--out", out], { cwd: dir, env: { ...process.env, CI: "true", TOVA_CACHE_DIR: cache, TOVA_DEBUG: "typecheck" }, encoding: "utf8" });
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("tova typecheck: "));
  const modules = Object.fromEntries(lines.flatMap((l) => {
    const m = /^tova typecheck: (\S+\.ts): (.*)$/.exec(l);
    return m ? [[m[1]!, m[2] === "checked" ? "checked" : "cached"]] : [];
  }));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, modules, serverStarted: lines.includes("tova typecheck: starting the checker's server") };
}

const entries = (cache: string) => (existsSync(path.join(cache, "typecheck-v2")) ? readdirSync(path.join(cache, "typecheck-v2")).filter((f) => f.endsWith(".json")) : []);

describe("tova build: the type-check's cache", () => {
  it("a second build of an unchanged program checks none of its modules, into another output directory too (one cache, two out dirs)", () => {
    const { dir, cache } = fresh();
    const first = build(dir, cache, "out1");
    expect(first.code, first.stderr).toBe(0);
    expect(first.modules).toEqual({ "app.shared.ts": "checked", "app.server.a.ts": "checked", "app.server.b.ts": "checked" });
    expect(first.stdout).toMatch(/^Type-checked and transpiled 3 modules/m);
    expect(entries(cache)).toHaveLength(3);

    const second = build(dir, cache, "out2");
    expect(second.code, second.stderr).toBe(0);
    expect(second.modules).toEqual({ "app.shared.ts": "cached", "app.server.a.ts": "cached", "app.server.b.ts": "cached" });
    // Every module was checked before: the checker's server is not even started.
    expect(second.serverStarted).toBe(false);
    for (const f of ["app.shared.js", "app.server.a.js", "app.server.b.js"]) {
      expect(readFileSync(path.join(dir, "out2", f), "utf8")).toBe(readFileSync(path.join(dir, "out1", f), "utf8"));
    }
  });

  it("a change to one module checks that module alone", () => {
    const { dir, cache } = fresh();
    expect(build(dir, cache, "out").code).toBe(0);
    writeFileSync(path.join(dir, "app.tova"), PROGRAM.replace("fn two() -> Int { 2 }", "fn two() -> Int { 20 }"));
    const changed = build(dir, cache, "out");
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.modules).toEqual({ "app.shared.ts": "cached", "app.server.a.ts": "cached", "app.server.b.ts": "checked" });
    expect(readFileSync(path.join(dir, "out", "app.server.b.js"), "utf8")).toContain("20");
  });

  it("a corrupt or unreadable cache entry is ignored: the module is checked again and its entry written anew", () => {
    const { dir, cache } = fresh();
    expect(build(dir, cache, "out1").code).toBe(0);
    const names = entries(cache);
    expect(names).toHaveLength(3);
    const at = (name: string) => path.join(cache, "typecheck-v2", name);
    writeFileSync(at(names[0]!), '{"format":"tova-typecheck-v2","syntactic":[],"sem'); // cut short
    writeFileSync(at(names[1]!), JSON.stringify({ format: "tova-typecheck-v2", syntactic: [], semantic: [{ module: 3 }] })); // not the shape written
    rmSync(at(names[2]!));
    mkdirSync(at(names[2]!)); // cannot be read as a file (nor replaced)
    const again = build(dir, cache, "out2");
    expect(again.code, again.stderr).toBe(0);
    expect(Object.values(again.modules)).toEqual(["checked", "checked", "checked"]);
    expect(JSON.parse(readFileSync(at(names[0]!), "utf8"))).toEqual({ format: "tova-typecheck-v2", syntactic: [], semantic: [] });
    expect(JSON.parse(readFileSync(at(names[1]!), "utf8"))).toEqual({ format: "tova-typecheck-v2", syntactic: [], semantic: [] });
  });
});

/**
 * The same through `typecheck` itself, with a type error put into the code
 * the compiler wrote (as a compiler bug would): it is reported where it comes
 * from in the `.tova` file, when the module is checked and again when its
 * result comes from the cache.
 */
describe("typecheck: a changed module and its type error", () => {
  let cache: string;
  let log: string[];
  beforeEach(() => {
    cache = mkdtempSync(path.join(work, "api-"));
    vi.stubEnv("TOVA_CACHE_DIR", cache);
    vi.stubEnv("TOVA_DEBUG", "typecheck");
    log = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      log.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const checked = () => log.flatMap((l) => /^tova typecheck: (\S+\.ts): checked$/.exec(l.trim())?.[1] ?? []);

  it("only the changed module is checked, and the error it brings is reported at its .tova line, from the check and from the cache", async () => {
    const result = compile([{ path: "app.tova", text: PROGRAM }], { stem: "app", emit: ["js"] });
    expect(result.diagnostics).toEqual([]);
    expect(await typecheck(result.modules, result.imports)).toEqual([]);
    expect(checked().sort()).toEqual(["app.server.a.ts", "app.server.b.ts", "app.shared.ts"]);

    // `return 2;` (the `2` of line 11) made to return text from `-> number`.
    const broken = result.modules.map((m) => (m.path === "app.server.b.ts" ? { ...m, code: m.code.replace("return 2;", 'return "2";') } : m));
    expect(broken.find((m) => m.path === "app.server.b.ts")!.code).toContain('return "2";');
    for (const round of ["checked", "cached"]) {
      log = [];
      const errors = await typecheck(broken, result.imports);
      expect(checked(), round).toEqual(round === "checked" ? ["app.server.b.ts"] : []);
      expect(errors.map((e) => `${e.module} ${e.code}`)).toEqual(["app.server.b.ts TS2322"]);
      const diagnostics = mapTypeErrors(errors, broken, result.files);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!.code).toBe("E0900");
      const line = PROGRAM.slice(0, diagnostics[0]!.span.start).split("\n").length;
      expect(line).toBe(11);
    }
  });

  it("an edit to one block moves the .tova offsets in every later module's markers: only the edited module is checked, and a kept error is reported at its new place", async () => {
    const breakB = (modules: EmittedModule[]) => modules.map((m) => (m.path === "app.server.b.ts" ? { ...m, code: m.code.replace("return 2;", 'return "2";') } : m));
    const before = compile([{ path: "app.tova", text: PROGRAM }], { stem: "app", emit: ["js"] });
    expect(await typecheck(breakB(before.modules), before.imports)).toHaveLength(1);
    // Server "a" grows by 10,000 characters: every offset after it changes, and gains a digit.
    const edited = PROGRAM.replace("fn one() -> Int { 1 }", `fn one() -> Int { ${"1".repeat(10_000)} }`);
    const after = compile([{ path: "app.tova", text: edited }], { stem: "app", emit: ["js"] });
    const b = (r: typeof after) => r.modules.find((m) => m.path === "app.server.b.ts")!.code;
    expect(b(after)).not.toBe(b(before));
    log = [];
    const modules = breakB(after.modules);
    const errors = await typecheck(modules, after.imports);
    expect(checked()).toEqual(["app.server.a.ts"]);
    const diagnostics = mapTypeErrors(errors, modules, after.files);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.span.start).toBe(edited.indexOf("{ 2 }") + 2);
  });

  it("a module whose imports changed is checked again, though its own text did not change", async () => {
    const program = PROGRAM.replace("fn two() -> Int { 2 }", "fn two() -> String { hello().message }");
    const result = compile([{ path: "app.tova", text: program }], { stem: "app", emit: ["js"] });
    expect(result.diagnostics).toEqual([]);
    const server = result.modules.find((m) => m.path === "app.server.b.ts")!;
    expect(server.code).toContain('from "./app.shared.js"');
    expect(await typecheck(result.modules, result.imports)).toEqual([]);
    log = [];
    // The shared module now says `message` is a number; the server module is the same text but no longer type-checks.
    const changed = result.modules.map((m) => (m.path === "app.shared.ts" ? { ...m, code: m.code.replace('message: "hi"', "message: 5") } : m));
    const errors = await typecheck(changed, result.imports);
    expect(checked().sort()).toEqual(["app.server.b.ts", "app.shared.ts"]);
    expect(errors.map((e) => `${e.module} ${e.code}`)).toEqual(["app.server.b.ts TS2322"]);
  });
});

/**
 * The checker reports what `tsc -p` on the whole program reports (the way
 * every build checked before the cache and the server): a few programs with
 * errors, each checked cold (empty cache) and warm (every module cached).
 */
describe("typecheck reports what tsc -p reports", () => {
  function tscP(modules: readonly EmittedModule[]): TsError[] {
    const dir = mkdtempSync(path.join(work, "tsc-"));
    mkdirSync(path.join(dir, "runtime"));
    for (const f of readdirSync(RUNTIME_DIR)) if (f.endsWith(".d.ts")) writeFileSync(path.join(dir, "runtime", f), readFileSync(path.join(RUNTIME_DIR, f)));
    for (const m of modules) writeFileSync(path.join(dir, m.path), m.code);
    writeFileSync(path.join(dir, "tova-imports.d.ts"), "\n");
    const compilerOptions = {
      strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom", "dom.iterable"],
      types: ["bun"], typeRoots: [path.join(PACKAGE_ROOT, "node_modules", "@types")], skipLibCheck: true, allowImportingTsExtensions: true,
    };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [...modules.map((m) => m.path), "tova-imports.d.ts"] }));
    const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, "node_modules", "typescript7", "bin", "tsc"), "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
    return r.stdout.split("\n").flatMap((line) => {
      const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
      return m ? [{ module: path.basename(m[1]!), line: Number(m[2]), column: Number(m[3]), code: m[4]!, message: m[5]! }] : [];
    });
  }

  const base = compile([{ path: "app.tova", text: PROGRAM }], { stem: "app", emit: ["js"] }).modules;
  const edit = (edits: Record<string, (code: string) => string>) => base.map((m) => (edits[m.path] ? { ...m, code: edits[m.path]!(m.code) } : m));
  const cases: [string, EmittedModule[]][] = [
    ["errors in two modules, sorted by file and position; a line with text beyond ASCII before one", edit({
      "app.shared.ts": (c) => `${c}const é = "😀"; const bad: number = "x";\nexport const worse: string = 1;\n`,
      "app.server.a.ts": (c) => c.replace("return 1;", "return undefinedName;"),
    })],
    ["a syntax error in one module: tsc reports it alone, not the other module's type error", edit({
      "app.shared.ts": (c) => `${c}export const bad: number = "x";\n`,
      "app.server.b.ts": (c) => c.replace("return 2;", "return 2 +;"),
    })],
    ["a script (no import or export) whose declarations clash with another's", [...base, { ...base[0]!, path: "app.s1.ts", code: "let clash = 1;\n" }, { ...base[0]!, path: "app.s2.ts", code: "let clash = 2;\n" }]],
  ];

  it.each(cases)("%s", async (_name, modules) => {
    vi.stubEnv("TOVA_CACHE_DIR", mkdtempSync(path.join(work, "eq-")));
    try {
      const expected = tscP(modules);
      expect(expected.length).toBeGreaterThan(0);
      expect(await typecheck(modules, []), "cold").toEqual(expected);
      expect(await typecheck(modules, []), "warm").toEqual(expected);
      // Without the server (the way taken when it cannot be used): `tsc -p` itself.
      vi.stubEnv("TOVA_CACHE_DIR", mkdtempSync(path.join(work, "eq-")));
      vi.stubEnv("TOVA_TYPECHECK_SERVER", "off");
      expect(await typecheck(modules, []), "tsc -p").toEqual(expected);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
