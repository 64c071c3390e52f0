import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { explainFsError } from "./errors.js";

/**
 * Writes every output under `outDir` so that a failed build leaves nothing
 * half-done: all files go to a temporary directory inside `outDir` first (the
 * same file system, so `rename` is atomic), and only when every write has
 * succeeded are they renamed into place. Files already in `outDir` that this
 * build does not produce are left alone (`--out .` must never wipe a folder).
 * Returns the written paths, `outDir` joined with each output's path.
 */
export async function writeOutputs(outDir: string, outputs: ReadonlyMap<string, string>): Promise<string[]> {
  const created = await mkdir(outDir, { recursive: true }).catch((e: unknown) => {
    throw explainFsError(e, outDir);
  });
  const staging = await mkdtemp(path.join(outDir, ".tova-staging-")).catch((e: unknown) => {
    throw explainFsError(e, outDir);
  });
  try {
    const entries = [...outputs].map(([rel, text]) => ({ rel: safeRelative(rel), text }));
    const dirs = (root: string) => [...new Set(entries.map((e) => path.dirname(path.join(root, e.rel))))];
    await Promise.all(dirs(staging).map((d) => mkdir(d, { recursive: true })));
    await Promise.all(entries.map(({ rel, text }) => writeFile(path.join(staging, rel), text)));
    await Promise.all(dirs(outDir).map((d) => mkdir(d, { recursive: true })));
    // Renamed only once every file is written: a failed build leaves nothing half-done.
    await Promise.all(entries.map(({ rel }) => rename(path.join(staging, rel), path.join(outDir, rel))));
    return entries.map(({ rel }) => path.join(outDir, rel));
  } catch (e) {
    // Leave the file system as it was: drop the staging files, and the output directory if this build made it.
    if (created !== undefined) await rm(created, { recursive: true, force: true });
    throw explainFsError(e, outDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Output paths come from the compiler; refuse any that would land outside the output directory. */
function safeRelative(rel: string): string {
  const normal = path.normalize(rel);
  if (path.isAbsolute(normal) || normal === ".." || normal.startsWith(`..${path.sep}`)) {
    throw new Error(`output path ${JSON.stringify(rel)} escapes the output directory`);
  }
  return normal;
}
