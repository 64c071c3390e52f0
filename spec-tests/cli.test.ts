import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// These tests run the built `tova` command the way a user does, in temporary
// directories, so they cover files.ts, the exit codes and the output format.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "bin.cjs");

const VALID = `shared { type User { id: Int, name: String } }\n`;
const SYNTAX_ERROR = `fn f( {\n`;
const WARNING_ONLY = `server {\n  fn f() {\n    publish("nobody_listens", { a: 1 })\n  }\n}\n`;
const API = `server "api" {\n  fn hello() { "hi" }\n  route GET "/hi" => hello\n}\n`;

let work: string;

beforeAll(() => {
  // Always rebuild: a stale dist/ would test yesterday's compiler. tsc still emits when
  // some file has a type error; that is the type-check's failure to report, not this suite's.
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (tsc.status !== 0 && !existsSync(cli)) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
  work = mkdtempSync(path.join(tmpdir(), "tova-cli-"));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh directory holding `files` (name → text). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(work, "p-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function tova(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readIr(file: string) {
  return JSON.parse(readFileSync(file, "utf8")) as { stem: string; servers: { name: string | null; port: number; portEnv: string }[] };
}

describe("tova check", () => {
  it("exits 0 on a valid program", () => {
    const dir = project({ "app.tova": VALID });
    const r = tova(dir, "check", "app.tova");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("error[");
  });

  it("exits 0 when there are only warnings, and prints them", () => {
    const dir = project({ "app.tova": WARNING_ONLY });
    const r = tova(dir, "check", "app.tova");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^app\.tova:3:\d+: warning\[W0001\]: /m);
  });

  it("exits 1 and prints path:line:col: error[CODE] on a syntax error", () => {
    const dir = project({ "bad.tova": SYNTAX_ERROR });
    const r = tova(dir, "check", "bad.tova");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^bad\.tova:1:\d+: error\[E0010\]: /m);
  });

  it("shows paths as given relative to the working directory", () => {
    const dir = project({ "examples/bad.tova": SYNTAX_ERROR });
    expect(tova(dir, "check", "examples/bad.tova").stdout).toMatch(/^examples\/bad\.tova:1:\d+: error\[E0010\]/m);
  });

  it("--json prints only a parseable array of located diagnostics", () => {
    const dir = project({ "bad.tova": SYNTAX_ERROR });
    const r = tova(dir, "check", "bad.tova", "--json");
    expect(r.code).toBe(1);
    const located = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(located.length).toBeGreaterThan(0);
    for (const key of ["code", "severity", "message", "file", "line", "column", "endLine", "endColumn"]) expect(located[0]).toHaveProperty(key);
    expect(located[0]).toMatchObject({ code: "E0010", severity: "error", file: "bad.tova", line: 1 });
  });

  it("--json prints an empty array for a valid program", () => {
    const dir = project({ "app.tova": VALID });
    const r = tova(dir, "check", "app.tova", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it("stops quietly when the reader of its output goes away (`tova check app.tova | head -1`)", () => {
    // Far more output than a pipe holds (64 KiB), so writes still pending meet the closed pipe.
    const many = Array.from({ length: 3000 }, (_, i) => `x${i} = missing${i}\n`).join("");
    const dir = project({ "many.tova": many });
    // The reader takes one line and goes: the rest of the output meets a closed pipe (EPIPE).
    const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${cli}" check many.tova | head -1; echo "status $?" >&2`], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.stdout).toMatch(/^many\.tova:1:6: error\[E0101\]/);
    // No stack; and not a success: it found errors (or, stopped before it knew, 141 as for SIGPIPE).
    expect(r.stderr).toMatch(/^status (1|141)\n$/);
  });

  it("checks every .tova file under a directory", () => {
    const dir = project({ "src/ok.tova": VALID, "src/nested/bad.tova": SYNTAX_ERROR });
    const r = tova(dir, "check", "src");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^src\/nested\/bad\.tova:1:\d+: error\[E0010\]/m);
  });
});

describe("tova build --emit ir", () => {
  it("writes <stem>.ir.json with each server's name, port and port variable", () => {
    const dir = project({ "app.tova": API });
    const r = tova(dir, "build", "app.tova", "--emit", "ir");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(path.join(".tova-out", "app.ir.json"));
    expect(readdirSync(path.join(dir, ".tova-out")).filter((f) => f !== ".tova-build.json")).toEqual(["app.ir.json"]); // no staging left behind
    const ir = readIr(path.join(dir, ".tova-out", "app.ir.json"));
    expect(ir.servers).toEqual([expect.objectContaining({ name: "api", port: 3000, portEnv: "PORT_API" })]);
  });

  it("--port changes the base port", () => {
    const dir = project({ "app.tova": API });
    expect(tova(dir, "build", "app.tova", "--emit", "ir", "--port", "8000").code).toBe(0);
    expect(readIr(path.join(dir, ".tova-out", "app.ir.json")).servers[0]).toMatchObject({ name: "api", port: 8000 });
  });

  it("--out chooses the output directory, creating it", () => {
    const dir = project({ "app.tova": API });
    expect(tova(dir, "build", "--emit", "ir", "app.tova", "--out", "out/ir").code).toBe(0);
    expect(existsSync(path.join(dir, "out", "ir", "app.ir.json"))).toBe(true);
  });

  it("uses the directory's name as the stem for a directory", () => {
    const dir = project({ "shop/api.tova": API, "shop/types.tova": VALID });
    expect(tova(dir, "build", "shop", "--emit", "ir").code).toBe(0);
    expect(readdirSync(path.join(dir, ".tova-out")).filter((f) => f !== ".tova-build.json")).toEqual(["shop.ir.json"]);
    expect(readIr(path.join(dir, ".tova-out", "shop.ir.json")).stem).toBe("shop");
  });

  it("writes nothing when the program has errors", () => {
    const dir = project({ "bad.tova": SYNTAX_ERROR });
    const r = tova(dir, "build", "bad.tova", "--emit", "ir");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^bad\.tova:1:\d+: error\[E0010\]/m);
    expect(existsSync(path.join(dir, ".tova-out"))).toBe(false);
  });

  it("refuses an unknown --emit value, writing nothing", () => {
    const dir = project({ "app.tova": API });
    const r = tova(dir, "build", "app.tova", "--emit", "wasm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --emit value "wasm"');
    expect(existsSync(path.join(dir, ".tova-out"))).toBe(false);
  });
});

describe("user mistakes", () => {
  it.each([
    ["a missing path", ["check", "missing.tova"], "missing.tova: no such file or directory"],
    ["a file that is not .tova", ["check", "notes.txt"], "notes.txt is not a .tova file"],
    ["a directory without .tova files", ["check", "empty"], "no .tova files found under empty"],
    ["a bad --port", ["build", "app.tova", "--emit", "ir", "--port", "http"], "--port must be an integer"],
    ["an unknown command", ["frobnicate"], "tova: unknown command frobnicate (see `tova --help`)"],
    ["no command", [], "tova: name a command: tova check <path>, tova build <path>, tova run <path> or tova dev <path>"],
    ["an unknown option", ["check", "app.tova", "--foo"], "tova: unknown option --foo (see `tova check --help`)"],
    ["an unknown option before the command", ["--foo", "check", "app.tova"], "tova: unknown option --foo (see `tova --help`)"],
    ["a missing <path>", ["check"], "tova: missing <path>: a .tova file or a directory of them (see `tova check --help`)"],
    ["a missing <name>", ["new"], "tova: missing <name>: the directory to create"],
    ["an extra argument", ["check", "app.tova", "other.tova"], 'tova: unexpected argument "other.tova" (see `tova check --help`)'],
    ["an option without its value", ["build", "app.tova", "--out"], "tova: --out needs a value"],
    ["an option taking the next option as its value", ["build", "app.tova", "--out", "--quiet"], "tova: --out needs a value"],
    ["a value for a boolean option", ["check", "app.tova", "--json=yes"], "tova: --json takes no value"],
    ["a bad --port on check", ["check", "app.tova", "--port", "70000"], '--port must be an integer between 1 and 65535, got "70000"'],
    ["a --template outside the choices", ["new", "x", "--template", "nope"], 'tova: --template must be one of api, fullstack, services, got "nope" (see `tova new --help`)'],
    ["a --log outside the choices", ["dev", "app.tova", "--log", "xml"], 'tova: --log must be one of pretty, json, got "xml"'],
    ["an env action outside the choices", ["env", "prod", "show"], 'tova: <action> must be one of list, set, got "show"'],
    ["two deploy modes at once", ["deploy", "prod", "--plan", "--rollback"], "tova: use one of --plan, --rollback at a time"],
    ["an --out that is a file", ["build", "app.tova", "--emit", "ir", "--out", "notes.txt"], "notes.txt: already exists and is not a directory"],
  ])("%s exits 2 with one clear line and no stack trace", (_what, args, message) => {
    const dir = project({ "app.tova": API, "notes.txt": "hello\n", "empty/.keep": "" });
    const r = tova(dir, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("tova --help and --version", () => {
  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    const r = tova(work, "--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("-v is --version, before or after a command", () => {
    const version = tova(work, "--version").stdout;
    for (const args of [["-v"], ["build", "--version"]]) {
      const r = tova(work, ...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(version);
    }
  });

  it("--help lists the commands", () => {
    const r = tova(work, "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("tova check <path>");
    expect(r.stdout).toContain("tova build <path>");
    expect(r.stdout).toContain("tova fmt [paths..]");
    expect(r.stdout).toContain("tova env <env> <action> [assignment]");
    expect(r.stdout).toMatch(/tova deploy \[env\] +Deploy to the server of a deploy block/);
    expect(tova(work, "-h").stdout).toBe(r.stdout);
  });

  it("tova build --help shows its argument and options with their defaults, even on a line that is otherwise wrong", () => {
    const r = tova(work, "build", "--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Usage: tova build <path> [options]");
    expect(r.stdout).toContain("Compile a .tova file or directory to JavaScript");
    expect(r.stdout).toMatch(/<path> +a \.tova file, or a directory/);
    expect(r.stdout).toMatch(/--emit <value> +also write:/);
    expect(r.stdout).toMatch(/--out <value> +output directory \(default: \.tova-out\)/);
    expect(r.stdout).toContain("--no-typecheck");
    expect(r.stdout).toContain("--production");
    expect(tova(work, "build", "-h", "app.tova", "--bogus").stdout).toBe(r.stdout);
  });

  it("a command's help lists its choices and leaves out hidden options", () => {
    expect(tova(work, "new", "--help").stdout).toMatch(/--template <api\|fullstack\|services>\s+api: .*\(default: api\)/s);
    const deploy = tova(work, "deploy", "--help").stdout;
    expect(deploy).toContain("--setup-git");
    expect(deploy).not.toContain("--local");
  });
});

describe("options", () => {
  it("--emit can be repeated or take a comma list", () => {
    for (const emit of [["--emit", "ir", "--emit", "ts"], ["--emit", "ir,ts"], ["--emit=ir,ts"]]) {
      const dir = project({ "app.tova": API });
      const r = tova(dir, "build", "app.tova", ...emit, "--no-typecheck");
      expect(r.code, r.stderr).toBe(0);
      const written = readdirSync(path.join(dir, ".tova-out"));
      for (const file of ["app.ir.json", "app.server.api.ts", "app.server.api.js"]) expect(written).toContain(file);
    }
  });

  it("--no-typecheck skips the type-check, which is on by default", () => {
    const dir = project({ "app.tova": API });
    const skipped = tova(dir, "build", "app.tova", "--no-typecheck", "--out", "a");
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/^Transpiled 2 modules/m);
    const checked = tova(dir, "build", "app.tova", "--out", "b");
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^Type-checked and transpiled 2 modules/m);
  });

  it("options go before, between or after the positionals, and -- ends them", () => {
    const dir = project({ "app.tova": VALID, "-odd.tova": VALID });
    expect(tova(dir, "check", "--json", "app.tova").stdout).toBe("[]\n");
    expect(tova(dir, "check", "--port=4000", "app.tova", "--json").stdout).toBe("[]\n");
    expect(tova(dir, "check", "--json", "--", "-odd.tova").stdout).toBe("[]\n");
  });
});
