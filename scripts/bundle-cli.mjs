// `npm run build`, after tsc: the CLI as one ES module per command. tsc leaves
// about a hundred modules that `tova check` alone would load one by one; Node
// resolves, reads and compiles each, which took most of its start-up
// (issue 15: `import("dist/cli/check.js")` 105 ms as tsc's modules, 17 ms
// bundled, this machine). `bun build` with code splitting writes
// dist/cli/main.js (the entry, replacing tsc's) and dist/cli/chunks/: each
// command's code in the chunk its dynamic `import()` loads, shared code in
// chunks of its own. npm packages stay imports. tsc's other files in dist/
// stay what the package exports and the tests import.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli");
const entry = path.join(cli, "main.js");
const bun = path.join(root, "node_modules", ".bin", "bun");

export function bundleCli() {
  if (!existsSync(bun)) {
    // Installed without install scripts (no Bun binary): tsc's modules run as they are, only slower to start.
    console.log("cli: no Bun in node_modules; dist/cli stays unbundled");
    return;
  }
  if (readFileSync(entry, "utf8").includes("./chunks/")) return; // already bundled: tsc did not run since
  rmSync(path.join(cli, "chunks"), { recursive: true, force: true });
  const started = performance.now();
  const r = spawnSync(
    bun,
    ["build", entry, "--target=node", "--format=esm", "--splitting", "--packages=external", "--outdir", cli, "--entry-naming=[name].[ext]", "--chunk-naming=chunks/[name]-[hash].[ext]"],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`bun build of the CLI failed:\n${r.stderr || r.stdout}`);
  console.log(`cli: dist/cli/main.js + chunks in ${Math.round(performance.now() - started)} ms`);
}
