#!/usr/bin/env node
/**
 * The `tova` command (package.json "bin"). It runs the CLI from one CommonJS
 * bundle, dist/cli/tova.bundle.cjs (scripts/bundle-cli.mjs), compiled with
 * V8's code cache: the bytecode of the bundle's top level and of every
 * function the previous run of the same command compiled is read back
 * instead of parsed and compiled again. Node 20 has no compile cache for
 * modules of its own (module.enableCompileCache is Node 22), so the bundle
 * is CommonJS and this file compiles it with `vm.Script` and `cachedData`.
 *
 * Measured (issue 15, `tova check` of a 1-line file, medians of 21 cold
 * processes, this machine): 127 ms through ES module chunks, 117 ms through
 * this bundle with its cache, 142 ms through it without, against 91 ms for
 * `node -e 0`. `tova check` runs from a bundle of its own, without the other
 * commands' modules (half the size: 125 ms against 139, same measure).
 *
 * One cache file per command, Node version and bundle (its size and mtime
 * name it; V8 itself rejects a cache made for another source or other
 * flags, and then a new one is written): each command compiles different
 * functions. The file is written when the process exits, only when there
 * was none or V8 rejected it, into a temporary name and renamed; then the
 * files of all but the three bundles (or Node versions) last written besides
 * this one are removed. Under `v8/` in Tova's
 * cache directory, readable by its owner only: bytecode is code. A cache
 * that cannot be read is compiled without; one that cannot be written is
 * skipped. `TOVA_CODE_CACHE=off` neither reads nor writes one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

const BUNDLE = path.join(__dirname, "tova.bundle.cjs");
/** `tova check`'s bundle: the whole CLI's but the modules of the other commands (scripts/bundle-cli.mjs). */
const CHECK_BUNDLE = path.join(__dirname, "tova-check.bundle.cjs");

/** The command the arguments name (the first that is not an option), as a file-name part. */
function commandOf(argv: readonly string[]): string {
  const name = argv.find((a) => !a.startsWith("-"));
  return name !== undefined && /^[a-z][a-z-]{0,31}$/.test(name) ? name : "other";
}

/**
 * Tova's cache directory, as typecheck-cache.ts's `cacheRoot` finds it (an ES
 * module, which this file would have to start Node's ES module loader to
 * import; spec-tests/code-cache.test.ts holds the two to the same place).
 */
function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOVA_CACHE_DIR) return path.resolve(env.TOVA_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), "tova");
  // os.homedir() is $HOME when it is set; `node:os` is loaded only when it is not (one module fewer at start).
  return path.join(env.HOME ?? (require("node:os") as typeof import("node:os")).homedir(), ".cache", "tova");
}

/** `cli-<node>-<arch>-<bundle size>-<bundle mtime>-`: what every cache file of this bundle and Node starts with. */
function cachePrefix(): string {
  const { size, mtimeMs } = statSync(BUNDLE);
  return `cli-${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}-`;
}

function cacheFile(): string | null {
  try {
    return path.join(cacheRoot(), "v8", `${cachePrefix()}${commandOf(process.argv.slice(2))}.bin`);
  } catch {
    return null;
  }
}

function readCache(file: string | null): Buffer | undefined {
  if (file === null || process.env.TOVA_CODE_CACHE === "off") return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
    prune(path.dirname(file), cachePrefix());
  } catch {
    // A read-only or full cache directory: the next run compiles without it, as this one did.
  }
}

/** Bundles (and Node versions) whose files are kept besides this one's: other projects may use other versions of Tova. */
const KEEP_OTHERS = 3;

/** Removes the files of all but the KEEP_OTHERS bundles last written besides `current` (an upgrade, a rebuild). */
function prune(dir: string, current: string): void {
  const newest = new Map<string, number>();
  const files: [string, string][] = [];
  for (const name of readdirSync(dir)) {
    const prefix = /^(cli-.*-\d+-\d+-)[a-z][a-z-]*\.bin$/.exec(name)?.[1];
    if (prefix === undefined || prefix === current) continue;
    files.push([name, prefix]);
    newest.set(prefix, Math.max(newest.get(prefix) ?? 0, statSync(path.join(dir, name)).mtimeMs));
  }
  const kept = new Set([...newest].sort((a, b) => b[1] - a[1]).slice(0, KEEP_OTHERS).map(([prefix]) => prefix));
  for (const [name, prefix] of files) if (!kept.has(prefix)) rmSync(path.join(dir, name), { force: true });
}

/** The bundle the command runs from: `check` has one of its own when the build made it. */
function bundleFor(command: string): string {
  return command === "check" && existsSync(CHECK_BUNDLE) ? CHECK_BUNDLE : BUNDLE;
}

function runBundle(): void {
  const file = cacheFile();
  const cachedData = readCache(file);
  const bundle = bundleFor(commandOf(process.argv.slice(2)));
  const source = readFileSync(bundle, "utf8");
  // No dynamic-import callback: the bundle has no `import()` (scripts/bundle-cli.mjs makes them `require`s).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  if (file !== null && process.env.TOVA_CODE_CACHE !== "off" && (!cachedData || script.cachedDataRejected)) {
    process.once("exit", () => writeCache(file, script.createCachedData()));
  }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, __dirname);
}

/**
 * V8's young generation is kept at its first size (semi-spaces of 1 MiB) rather than grown up to 16 MiB.
 * Most of what the compiler allocates lives until the command ends (tokens, the syntax tree, the IR, the
 * types), so a larger young generation only copies the same objects more before promoting them, and on a
 * machine where the first touch of a page is dear it costs as much as it saves. Measured (issue 15, cold
 * processes on this 2-core machine): peak RSS of `tova check` on 20k lines 137 → 109 MiB, of `tova build
 * --no-typecheck` on 10k lines 127 → 97 MiB, of `tova build` with the type-check 130 → 105 MiB, each as
 * fast or faster. `--max-semi-space-size` is read only when Node starts; the growth factor is read each
 * time V8 would grow the space, so setting it here takes effect (Node leaves V8's flags unfrozen for
 * `v8.setFlagsFromString`). It is set before the bundle is compiled, so the code cache always sees it.
 */
function keepYoungGenerationSmall(): void {
  (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--semi-space-growth-factor=1");
}

// Run by Bun (a server's git hook where there is no Node): Bun caches what it compiles itself.
if (process.versions.bun !== undefined && existsSync(BUNDLE)) require(BUNDLE);
else if (existsSync(BUNDLE)) {
  keepYoungGenerationSmall();
  runBundle();
}
// Built without Bun in node_modules (no bundle): tsc's modules, one by one.
else void import("./main.js");
