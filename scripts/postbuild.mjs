// After `tsc`: bundle the CLI (bundle-cli.mjs), make the command executable, and link it as node_modules/.bin/tova so
// `npx tova` and tools that look there find this checkout's own compiler.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { bundleCli } from "./bundle-cli.mjs";

bundleCli();

chmodSync("dist/cli/bin.cjs", 0o755);
if (existsSync("node_modules")) {
  mkdirSync("node_modules/.bin", { recursive: true });
  rmSync("node_modules/.bin/tova", { force: true });
  symlinkSync("../../dist/cli/bin.cjs", "node_modules/.bin/tova");
}
