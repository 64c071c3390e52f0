import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./server/harness.js";
import { mapModules, markForTranspiler } from "../backends/typescript/js-source-map.js";
import { transpile } from "../cli/toolchain.js";

/**
 * Source maps (issue 9): every emitted module has a `.js.map` beside it, and
 * an error's stack trace under Bun names the `.tova` line of the statement
 * that threw, in `tova run`, `tova dev` and `bun run .tova-out/<stem>.*.js`.
 * The programs run with the built `tova` command and the packaged Bun.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");
const BUN = path.join(ROOT, "node_modules", ".bin", "bun");

// Line 2 throws (JSON.parse of text that is not JSON), called from line 6 at the top level. (Not in
// return position: JavaScriptCore makes a strict-mode tail call replace its caller's frame.)
const SCRIPT = `fn parse_config(text: String) -> Any {
  parsed = JSON.parse(text)
  parsed
}

config = parse_config("not json")
print(config)
`;

// Line 4 throws; the handler calls it from line 12, on_start (when asked) from line 17.
const SERVER = (onStart: boolean) => `shared {
  fn check_qty(n: Int) -> Int {
    if n > 2 {
      JSON.parse("not json {n}")
    }
    n
  }
}

server {
  fn order(req, res) {
    qty = check_qty(5)
    res.json({ qty: qty })
  }
${onStart ? "\n  on_start {\n    check_qty(7)\n  }\n" : ""}
  route GET "/order" => order
}
`;

let work: string;

beforeAll(() => {
  // As cli.test.ts: rebuild dist/ so the command under test is this compiler.
  const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
  if (tsc.status !== 0 && !existsSync(CLI)) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
  work = mkdtempSync(path.join(tmpdir(), "tova-maps-"));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(work, "p-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function tova(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

/** Runs a command until `done(output)` holds (or it exits, or 30 s pass), then stops it; resolves with its output. */
function runUntil(cmd: string, args: string[], cwd: string, env: Record<string, string>, done: (out: string) => boolean, poke?: () => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    // A process group of its own: `tova run` starts the server as a child, which must go too.
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(poller);
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // the group is gone already
      }
      resolve(out);
    };
    const onData = (d: Buffer) => {
      out += d;
      if (done(out)) finish();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", () => setTimeout(finish, 50));
    const poller = setInterval(() => void poke?.().catch(() => undefined), 200);
    const timer = setTimeout(finish, 30_000);
  });
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a v3 `mappings` string (written here, not shared with the encoder under test). */
function decode(mappings: string): { genLine: number; genCol: number; source: number; line: number; col: number }[] {
  const out: { genLine: number; genCol: number; source: number; line: number; col: number }[] = [];
  let source = 0;
  let line = 0;
  let col = 0;
  mappings.split(";").forEach((group, genLine) => {
    let genCol = 0;
    for (const seg of group.split(",")) {
      if (seg === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        if (digit < 0) throw new Error(`not base64: ${ch}`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += fields[0]!;
      if (fields.length >= 4) {
        source += fields[1]!;
        line += fields[2]!;
        col += fields[3]!;
        out.push({ genLine, genCol, source, line, col });
      }
    }
  });
  return out;
}

/** The `.tova` line (1-based) the map gives for the first `.js` line containing `needle`. */
function mappedLine(js: string, map: { mappings: string }, needle: string): number | undefined {
  const genLine = js.split("\n").findIndex((l) => l.includes(needle));
  const seg = decode(map.mappings).find((s) => s.genLine === genLine);
  return seg ? seg.line + 1 : undefined;
}

describe("the source mapper", () => {
  const tova = "fn f() {\n  if x {\n    g(1,\n      2)\n  }\n}\ny = foo(bar(1)) + total(2)\n";
  // What Bun's transpiler makes of marked code: each marker a line of its own before its statement.
  const transpiled = [
    'import { g } from "./runtime/stdlib.js";',
    "/*!@0:0*/",
    "export function f() {",
    "  /*!@0:11*/",
    "  if (x) {",
    "    /*!@0:22*/",
    "    g(1,",
    "      2);",
    "  } else {",
    '    h("a/*!@0:5*/b");',
    "  }",
    "}",
    "/*!@-*/",
    "const app = createApp();",
    "/*!@0:42*/",
    "const y = foo(bar(1)) + total2(2);",
    "/*!@0:0*/",
    "/*!@0:11*/",
    "run();",
    "",
  ].join("\n");
  const { js, map } = mapModules([{ name: "app.shared.js", js: transpiled }], [{ name: "../app.tova", text: tova }])[0]!;
  const lines = js.split("\n");
  const segments = decode(JSON.parse(map).mappings);
  const at = (needle: string) => {
    const i = lines.findIndex((l) => l.includes(needle));
    const s = segments.find((x) => x.genLine === i);
    return s ? `${s.line + 1}:${s.col + 1}` : "unmapped";
  };

  it("turns markers into legal comments, which Bun's transpiler keeps", () => {
    expect(markForTranspiler("/*@0:12*/const a = 1;\n/*@-*/b();")).toBe("/*!@0:12*/const a = 1;\n/*!@-*/b();");
  });

  it("puts the // @bun pragma first, removes the marker lines and links the map last", () => {
    expect(lines[0]).toBe("// @bun");
    expect(js).not.toMatch(/^\s*\/\*!@/m);
    expect(lines.at(-2)).toBe("//# sourceMappingURL=app.shared.js.map");
    expect(lines).toHaveLength(transpiled.split("\n").length - 7 + 2);
  });

  it("maps each statement, and its continuation lines, to the marker's line and column", () => {
    expect(at("export function f")).toBe("1:1");
    expect(at("if (x)")).toBe("2:3");
    expect(at("g(1,")).toBe("3:5");
    expect(at("2);")).toBe("3:5");
    expect(at("} else {")).toBe("2:3");
    expect(at("run();")).toBe("2:3");
  });

  it("maps a call on a statement's first line to the same call on its .tova line", () => {
    const i = lines.findIndex((l) => l.startsWith("const y"));
    const pos = (column: number) => {
      const s = segments.filter((x) => x.genLine === i && x.genCol <= column).at(-1)!;
      return `${s.line + 1}:${s.col + 1}`;
    };
    expect(pos(0)).toBe("7:1");
    expect(pos(lines[i]!.indexOf("foo("))).toBe("7:5");
    expect(pos(lines[i]!.indexOf("bar("))).toBe("7:9");
    // `total2` (a name the emitter renamed) is not on the .tova line: no segment of its own.
    expect(segments.filter((x) => x.genLine === i)).toHaveLength(3);
  });

  it("leaves imports and compiler-written code unmapped", () => {
    expect(at("import { g }")).toBe("unmapped");
    expect(at("createApp")).toBe("unmapped");
  });

  it("gives a marker-like text inside a string back as the program wrote it", () => {
    expect(js).toContain('h("a/*@0:5*/b");');
  });

  it("writes a self-contained version 3 map naming the .tova file", () => {
    const parsed = JSON.parse(map);
    expect(parsed).toMatchObject({ version: 3, file: "app.shared.js", sources: ["../app.tova"], sourcesContent: [tova], names: [] });
  });

  it("past the content budget, names the file with a null content (the same mappings)", () => {
    const modules = [{ name: "app.shared.js", js: transpiled }, { name: "app.server.js", js: transpiled }];
    const sources = [{ name: "../app.tova", text: tova }];
    const within = mapModules(modules, sources, 2 * tova.length).map((m) => JSON.parse(m.map));
    const beyond = mapModules(modules, sources, 2 * tova.length - 1).map((m) => JSON.parse(m.map));
    expect(within.map((m) => m.sourcesContent)).toEqual([[tova], [tova]]);
    expect(beyond.map((m) => m.sourcesContent)).toEqual([[null], [null]]);
    expect(beyond.map((m) => m.mappings)).toEqual(within.map((m) => m.mappings));
  });
});

describe("stack traces under Bun", () => {
  it("Bun reads a map with a null content, and shows the .tova file from disk", async () => {
    const lib = 'fn half(n) {\n  n / 2\n}\nvalue = JSON.parse("nope")\n';
    const dir = project({ "lib.tova": lib });
    const ts = '/*@0:0*/export function half(n: number) {\n  /*@0:15*/return n / 2;\n}\n/*@0:23*/export const value = JSON.parse("nope");\n';
    const js = await transpile([{ path: "lib.shared.ts", code: markForTranspiler(ts) }]);
    const [m] = mapModules([{ name: "lib.shared.js", js: js.get("lib.shared.js")! }], [{ name: "lib.tova", text: lib }], 0);
    expect(JSON.parse(m!.map).sourcesContent).toEqual([null]);
    writeFileSync(path.join(dir, "lib.shared.js"), m!.js);
    writeFileSync(path.join(dir, "lib.shared.js.map"), m!.map);
    const run = spawnSync(BUN, ["run", "lib.shared.js"], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toContain(`at ${path.join(dir, "lib.tova")}:4:14`);
    expect(run.stderr).toContain('4 | value = JSON.parse("nope")');
  }, 30_000);

  it("a shared-only script that throws: `tova run` and `bun run` name the .tova lines", () => {
    const dir = project({ "script.tova": SCRIPT });
    const run = tova(dir, "run", "script.tova", "--no-typecheck");
    const out = run.stdout + run.stderr;
    expect(run.status, out).not.toBe(0);
    const file = path.join(dir, "script.tova");
    // The call that throws (line 2, column 17: `parse` of `JSON.parse`) and the top-level call (line 6, column 10).
    expect(out).toContain(`at parse_config (${file}:2:17)`);
    expect(out).toContain(`at ${file}:6:10`);
    expect(out).not.toMatch(/script\.shared\.js:\d+/);
    // Bun shows the .tova text (from the map's sourcesContent) around the error.
    expect(out).toContain("2 |   parsed = JSON.parse(text)");

    const direct = spawnSync(BUN, ["run", ".tova-out/script.shared.js"], { cwd: dir, encoding: "utf8" });
    expect(direct.stderr).toContain(`at parse_config (${file}:2:17)`);
  }, 60_000);

  it("a route handler calling a function that throws: the server's logged stack names the .tova lines", async () => {
    const dir = project({ "app.tova": SERVER(false) });
    const port = await freePort();
    const out = await runUntil(process.execPath, [CLI, "run", "app.tova", "--no-typecheck"], dir, { PORT: String(port) }, (o) => o.includes("request failed"), async () => {
      await (await fetch(`http://127.0.0.1:${port}/order`)).arrayBuffer();
    });
    const file = path.join(dir, "app.tova");
    const failed = out.split("\n").find((l) => l.includes("request failed"));
    expect(failed, out).toBeDefined();
    const stack = (JSON.parse(failed!) as { stack: string }).stack;
    expect(stack).toContain(`at check_qty (${file}:4:12)`);
    expect(stack).toContain(`at order (${file}:12:11)`);
    expect(stack).not.toMatch(/app\.(shared|server)\.js:\d+/);
  }, 60_000);

  it("`tova dev` reports a server that crashes at start with the .tova lines", async () => {
    const dir = project({ "app.tova": SERVER(true) });
    const port = await freePort();
    const out = await runUntil(process.execPath, [CLI, "dev", "app.tova", "--port", String(port), "--no-typecheck"], dir, {}, (o) => o.includes("Its last output"));
    const file = path.join(dir, "app.tova");
    expect(out).toContain(`at check_qty (${file}:4:12)`);
    expect(out).toContain(`${file}:17:5`);
  }, 60_000);
});

describe("a local module the program imports", () => {
  it("is bundled with its own map, so a trace names the program's .js file and line", () => {
    const helper = 'export function boom(x) {\n  const y = x + 1;\n  throw new Error("helper failed " + y);\n}\n';
    const dir = project({ "helper.js": helper, "app.tova": 'import { boom } from "./helper.js"\n\nboom(1)\n' });
    const run = tova(dir, "run", "app.tova", "--no-typecheck");
    const out = run.stdout + run.stderr;
    expect(out).toContain("helper failed 2");
    expect(out).toContain(`at boom (${path.join(dir, "helper.js")}:3:9)`);
    expect(out).toMatch(new RegExp(`${path.join(dir, "app.tova").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:1`));
    const map = JSON.parse(readFileSync(path.join(dir, ".tova-out", "helper.js.map"), "utf8"));
    expect(map).toMatchObject({ version: 3, sources: ["../helper.js"], sourcesContent: [helper] });
  }, 60_000);
});

describe("the .js.map files", () => {
  it("sit beside every module, are version 3 maps of the .tova file, and decode to positions inside it", () => {
    const source = SERVER(false);
    const dir = project({ "app.tova": source });
    const built = tova(dir, "build", "app.tova", "--no-typecheck");
    expect(built.status, built.stdout + built.stderr).toBe(0);
    const out = path.join(dir, ".tova-out");
    const modules = readdirSync(out).filter((f) => f.endsWith(".js"));
    expect(modules.sort()).toEqual(["app.server.js", "app.shared.js"]);
    const lines = source.split("\n");
    for (const m of modules) {
      const js = readFileSync(path.join(out, m), "utf8");
      expect(js.startsWith("// @bun\n"), m).toBe(true);
      expect(js.trimEnd().endsWith(`//# sourceMappingURL=${m}.map`), m).toBe(true);
      const map = JSON.parse(readFileSync(path.join(out, `${m}.map`), "utf8"));
      expect(map).toMatchObject({ version: 3, file: m, sources: ["../app.tova"], sourcesContent: [source] });
      const segments = decode(map.mappings);
      expect(segments.length, m).toBeGreaterThan(0);
      const jsLines = js.split("\n");
      for (const s of segments) {
        expect(s.source).toBe(0);
        expect(s.genLine).toBeLessThan(jsLines.length);
        expect(s.line).toBeLessThan(lines.length);
        expect(s.col).toBeLessThanOrEqual(lines[s.line]!.length);
        // Every mapped position is the start of a statement: never inside blanks.
        expect(lines[s.line]!.slice(s.col).trim(), `${m} -> ${s.line + 1}:${s.col + 1}`).not.toBe("");
      }
    }
    const shared = readFileSync(path.join(out, "app.shared.js"), "utf8");
    expect(mappedLine(shared, JSON.parse(readFileSync(path.join(out, "app.shared.js.map"), "utf8")), "JSON.parse(")).toBe(4);
    const server = readFileSync(path.join(out, "app.server.js"), "utf8");
    expect(mappedLine(server, JSON.parse(readFileSync(path.join(out, "app.server.js.map"), "utf8")), "check_qty(5)")).toBe(12);
  }, 60_000);

  it("a string that looks like a marker runs as written", () => {
    const dir = project({ "s.tova": 'a = "x/*@0:1*/y"\nprint(a)\n' });
    const run = tova(dir, "run", "s.tova", "--no-typecheck");
    expect(run.stdout + run.stderr).toContain("x/*@0:1*/y");
  }, 60_000);
});
