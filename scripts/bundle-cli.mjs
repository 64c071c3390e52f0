// `npm run build`, after tsc: the CLI as one CommonJS file, dist/cli/tova.bundle.cjs (and
// `tova check`'s smaller one, tova-check.bundle.cjs, NOT_IN_CHECK below), which the `tova` command (dist/cli/bin.cjs, from cli/bin.cts) compiles with V8's
// code cache. tsc leaves about a hundred modules that `tova check` alone would load
// one by one; Node resolves, reads and compiles each, which took most of its
// start-up (issue 15: `import("dist/cli/check.js")` 105 ms as tsc's modules, 17 ms
// bundled as ES modules; compiling that source was then a quarter of the rest,
// which the code cache takes away, and Node 20 has a code cache only for
// CommonJS). Each command's code is initialised when the command runs (`bun build`
// keeps the dynamic `import()`s of cli/main.ts lazy), so `tova check` still
// loads no npm package. npm packages stay `require`s (but BUNDLED below). tsc's files in dist/ stay
// what the package exports and the tests import; dist/cli/main.js is the
// fallback when there is no Bun to bundle with.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli");
const entry = path.join(cli, "main.js");
const bundle = path.join(cli, "tova.bundle.cjs");
const checkBundle = path.join(cli, "tova-check.bundle.cjs");
const bun = path.join(root, "node_modules", ".bin", "bun");

// Bundled, not required: code-block-writer is a dual package whose CommonJS build has its class at
// `exports.default`, and a CommonJS bundle's default import of a package is its `module.exports` (as
// Node's would be); bundled, its ES module build is used, as under Node's ES module loader.
const BUNDLED = new Set(["code-block-writer"]);

/**
 * The commands whose modules `tova check`'s own bundle leaves out (cli/main.ts imports each when it
 * runs). `tova check` is what an editor or a git hook runs on every save, and it needs the front end,
 * the passes and the diagnostics only: its bundle is half the size of the whole CLI's, and
 * reading and deserialising the whole one was 14 ms of its 139 ms (issue 15, medians of 21 cold
 * processes; 125 ms with its own bundle, against 102 ms for `node -e 0`), and 4 MiB of its peak memory.
 * bin.cts gives it `check` only. Were it given another command, that command's import would be a
 * `require` of tsc's module beside it, which runs, but with copies of the CLI's modules of its own (a
 * usage error from it would read as an internal one).
 */
const NOT_IN_CHECK = ["build", "deploy", "deploy-ops", "dev", "eject", "env", "fmt", "new", "production", "run"];

export function bundleCli() {
  rmSync(bundle, { force: true });
  rmSync(checkBundle, { force: true });
  rmSync(path.join(cli, "chunks"), { recursive: true, force: true }); // the ES module chunks of earlier builds
  if (!existsSync(bun)) {
    // Installed without install scripts (no Bun binary): tsc's modules run as they are, only slower to start.
    console.log("cli: no Bun in node_modules; dist/cli stays unbundled");
    return;
  }
  const started = performance.now();
  bunBuild(bundle, []);
  bunBuild(checkBundle, NOT_IN_CHECK);
  console.log(`cli: dist/cli/tova.bundle.cjs and tova-check.bundle.cjs in ${Math.round(performance.now() - started)} ms`);
}

/** `bun build` of the CLI into `outfile`, leaving out the modules of the commands `left` names. */
function bunBuild(outfile, left) {
  const r = spawnSync(
    bun,
    [
      "build", entry, "--target=node", "--format=cjs", "--outfile", outfile,
      ...externals().flatMap((name) => ["--external", name]),
      ...left.flatMap((command) => ["--external", `*/${command}.js`]),
      // Bun writes the build machine's path for `import.meta.url` in a CommonJS bundle; the bundle's own, found when it runs, instead.
      "--define", "import.meta.url=__tova_bundle_url",
      "--banner", 'var __tova_bundle_url = require("node:url").pathToFileURL(__filename).href;',
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`bun build of the CLI failed:\n${r.stderr || r.stdout}`);
  const text = asciiOnly(withoutImport(readFileSync(outfile, "utf8"), left));
  // `--external */run.js` matches by the end of a path: only the commands' own modules may be left out.
  const leftOut = [...text.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)].map((m) => m[1]).filter((m) => !left.some((c) => m === `./${c}.js`));
  if (leftOut.length > 0) throw new Error(`the CLI bundle ${path.basename(outfile)} left out modules it needs: ${leftOut.join(", ")}`);
  writeFileSync(outfile, text);
}

/** The npm packages the bundle `require`s: the dependencies, but the ones bundled. */
function externals() {
  const { dependencies } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  return Object.keys(dependencies).filter((name) => !BUNDLED.has(name));
}

/**
 * The bundle with its few non-ASCII characters (the progress lines' arrows and
 * marks, all in string literals) written as `\uXXXX` escapes: Node decodes an
 * ASCII file to a string in one pass, and any other UTF-8 on a slower path
 * (8.4 ms against 6.6 ms for this 0.7 MB file, cold, which bin.cts reads at
 * every start). An escape means the same character in a string, a template, a
 * regular expression or an identifier; only a template's raw text (`String.raw`)
 * would differ, and the CLI has none with such characters.
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The bundle's `import("package")`s (prettier, loaded by `--emit ts`; listr2, at
 * a terminal), and those of the commands it leaves out (`left`), as `require`s: V8 loses the
 * dynamic-import callback of a script
 * compiled from a code cache for the functions it compiles later (Node's
 * ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; nodejs/node#43663 is the same for
 * modules), so bin.cts compiles the bundle without one. `require` of an ES
 * module gives its namespace (Node 20.19 and later), as `import()`
 * would. Any other `import(` stops the build: it would fail the same way.
 */
function withoutImport(text, left) {
  const commands = new Set(left.map((c) => `"./${c}.js"`));
  const out = text.replace(/(?<![\w$.])import\(("[^"]*")\)/g, (call, specifier) =>
    /^"[^"./]/.test(specifier) || commands.has(specifier) ? `Promise.resolve().then(() => require(${specifier}))` : call,
  );
  const missed = /(?<![\w$.])import\(/.exec(out);
  if (missed) throw new Error(`the CLI bundle has an import() bin.cts cannot run: ${out.slice(missed.index, missed.index + 80)}`);
  return out;
}
