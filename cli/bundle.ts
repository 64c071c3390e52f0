import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildProduction } from "./production.js";

/**
 * The release `tova deploy` uploads: the output of `tova build --production`, the
 * data files of `data { source x = read("file") }` under `data/`, and, once
 * the server's ports are known, provision.sh and `.tova-manifest.json`.
 */
export interface Bundle {
  dir: string;
  /** Every built file's hash, by path in the release (what "N files changed" compares). */
  files: Record<string, string>;
  bytes: number;
  fileCount: number;
  dispose(): void;
}

export class BundleError extends Error {}

/**
 * Builds into a fresh directory; null when the program has errors (they were
 * printed). A program that imports npm packages brings the nearest
 * package.json (and its lock file) along: the server installs the
 * production dependencies into the release.
 */
export async function buildBundle(source: string, dataFiles: readonly string[], packages: readonly string[] = []): Promise<Bundle | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-release-"));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  // The production build (cli/production.ts): one self-contained bundle per server, the clients' hashed bundles.
  const code = await buildProduction({ path: source, out: dir, typecheck: true }, false, packages.length > 0);
  if (code !== 0) {
    dispose();
    return null;
  }
  rmSync(path.join(dir, ".tova-build.json"), { force: true });
  // Data files are read relative to the program; on the server they live in the app's data directory.
  const base = statSync(source).isDirectory() ? source : path.dirname(source);
  for (const file of dataFiles) {
    const from = path.resolve(base, file);
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes("..")) {
      dispose();
      throw new BundleError(`data file "${file}" must be a path inside the project, to be uploaded to the server's data directory`);
    }
    if (!existsSync(from)) {
      dispose();
      throw new BundleError(`data file "${file}" (read by a data source) does not exist at ${from}`);
    }
    mkdirSync(path.dirname(path.join(dir, "data", file)), { recursive: true });
    copyFileSync(from, path.join(dir, "data", file));
  }
  if (packages.length) {
    const manifest = findUp(path.resolve(base), "package.json");
    if (!manifest) {
      dispose();
      throw new BundleError(`the program imports ${packages.join(", ")}, but there is no package.json in ${path.resolve(base)} or above it to install ${packages.length === 1 ? "it" : "them"} from on the server`);
    }
    for (const name of ["package.json", ...LOCK_FILES]) {
      const from = path.join(path.dirname(manifest), name);
      if (existsSync(from)) copyFileSync(from, path.join(dir, name));
    }
  }
  const files: Record<string, string> = {};
  let bytes = 0;
  for (const rel of walk(dir, "")) {
    const content = readFileSync(path.join(dir, rel));
    bytes += content.length;
    files[rel] = createHash("sha256").update(content).digest("hex").slice(0, 16);
  }
  return { dir, files, bytes, fileCount: Object.keys(files).length, dispose };
}

/** Adds a generated file (provision.sh, the manifest) to the release. */
export function addToBundle(bundle: Bundle, rel: string, text: string, mode = 0o644): void {
  writeFileSync(path.join(bundle.dir, rel), text, { mode });
}

const LOCK_FILES = ["bun.lock", "bun.lockb", "package-lock.json"];

function findUp(dir: string, name: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return null;
  }
}

function walk(root: string, rel: string): string[] {
  return readdirSync(path.join(root, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(root, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)]));
}

/** How many files differ between two releases (added, changed or removed). */
export function changedFiles(previous: Record<string, string>, next: Record<string, string>): number {
  const names = new Set([...Object.keys(previous), ...Object.keys(next)]);
  return [...names].filter((n) => previous[n] !== next[n]).length;
}
