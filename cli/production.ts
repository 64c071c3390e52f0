import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import remapping, { type EncodedSourceMap } from "@jridgewell/remapping";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build, type BuildArgs } from "./build.js";
import { EXIT } from "./errors.js";
import { clientPage } from "../backends/client-page.js";
import { BundleFailure, bunBuild } from "./toolchain.js";

/**
 * `tova build --production` (decisions.md "Output"; client.md): the program
 * built as usual into a staging directory, then bundled with Bun's bundler
 * into `--out` (default `dist/`):
 *
 *   dist/server.js, dist/server.<name>.js   one minified bundle per server block, with its map;
 *                                           nothing to install but Bun, runs from any directory
 *   dist/client/<stem>.client-<hash>.js     one minified bundle per client block, named by its content
 *   dist/client/index.html, <name>/index.html   the pages
 *   dist/client/manifest.json              which bundle each page loads (the server reads it)
 *
 * The server that serves the clients finds `client/manifest.json` beside
 * itself and serves the hashed bundles with long-lived cache headers
 * (runtime/server/client-files.ts).
 */
export async function runProduction(args: Omit<BuildArgs, "emit">): Promise<number> {
  return buildProduction(args, true);
}

/**
 * The production build into `args.out`; `verbose` prints a line per file
 * written. `tova deploy` ships it, with `externalPackages`: the servers'
 * npm packages stay imports, installed on the server from package.json.
 */
export async function buildProduction(args: Omit<BuildArgs, "emit">, verbose: boolean, externalPackages = false): Promise<number> {
  // Staged inside the project, so the bundler finds the program's npm packages in its node_modules
  // (a folder whose name starts with "." is never read as sources).
  const project = statSync(args.path).isDirectory() ? args.path : path.dirname(args.path);
  const staging = await mkdtemp(path.join(path.resolve(project), ".tova-production-"));
  try {
    const built = await build({ ...args, emit: ["js"], out: staging, verbose: false });
    if (built.code !== EXIT.ok) return built.code;
    const out = path.resolve(args.out);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    const written: string[] = [];
    for (const e of built.entries.filter((x) => x.kind === "server")) {
      const name = e.block === null ? "server" : `server.${e.block}`;
      // Everything bundled in, npm packages included (unless the deploy installs them), so `dist/` needs only Bun.
      const packages = externalPackages ? ["--packages=external"] : [];
      await bunBuild([path.join(staging, e.js), "--target=bun", "--format=esm", "--minify", "--sourcemap=linked", `--outdir=${out}`, `--entry-naming=${name}.[ext]`, "--external=bun:*", ...packages]);
      await throughToTova(path.join(out, `${name}.js.map`), staging);
      written.push(`${name}.js`, `${name}.js.map`);
    }
    // The durable job queue (BullMQ, about 1 MB) beside the servers that can spawn jobs, loaded by them only with REDIS_URL.
    if (built.entries.some((e) => e.kind === "server" && e.jobs)) {
      // BullMQ bundled in even for a deploy: it is the runtime's, not among the program's packages the server installs.
      await bunBuild([path.join(staging, "runtime", "durable.js"), "--target=bun", "--format=esm", "--minify", "--sourcemap=linked", `--outdir=${out}`, "--entry-naming=durable.[ext]", "--external=bun:*"]);
      written.push("durable.js", "durable.js.map");
    }
    const clients = built.entries.filter((x) => x.kind === "client");
    if (clients.length) {
      const dir = path.join(out, "client");
      const manifest: Record<string, string> = {};
      for (const c of clients) {
        const bundle = await clientBundle(path.join(staging, c.js), dir);
        const mount = c.block === null ? "/" : `/${c.block}/`;
        manifest[mount] = bundle;
        const page = path.join(dir, mount.slice(1), "index.html");
        await mkdir(path.dirname(page), { recursive: true });
        await writeFile(page, clientPage(`/client/${bundle}`, c.block === null ? built.stem : `${built.stem} ${c.block}`));
        written.push(`client/${bundle}`, `client/${bundle}.map`, path.relative(out, page));
      }
      await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
      written.push("client/manifest.json");
    }
    // `static { dir }` folders, where the server looks: beside it.
    for (const entry of await readdir(staging, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== "runtime") {
        await cp(path.join(staging, entry.name), path.join(out, entry.name), { recursive: true, verbatimSymlinks: true });
        written.push(`${entry.name}/`);
      }
    }
    if (verbose) for (const w of written) process.stdout.write(`wrote ${path.join(args.out, w)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof BundleFailure)) throw err;
    process.stderr.write(`tova: the production bundle failed: ${err.message}\n`);
    return EXIT.errors;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The bundle's map points into the staging build; each staged module's own
 * map points on to the `.tova` files. Composed (@jridgewell/remapping), a
 * stack trace of the bundle names `app.tova:LINE:COL` as in development; the
 * runtime's frames are named `tova-runtime/<module>.js`.
 */
async function throughToTova(mapFile: string, staging: string): Promise<void> {
  const dir = path.dirname(mapFile);
  const bundleMap = JSON.parse(await readFile(mapFile, "utf8")) as EncodedSourceMap;
  const staged = (source: string) => path.resolve(dir, source);
  const loaded = new Map<string, EncodedSourceMap | null>();
  for (const source of bundleMap.sources) {
    if (!source) continue;
    const file = staged(source);
    const map = `${file}.map`;
    loaded.set(source, file.startsWith(staging) && existsSync(map) ? (JSON.parse(await readFile(map, "utf8")) as EncodedSourceMap) : null);
  }
  const composed = remapping(bundleMap, (source, ctx) => {
    // Only the bundle's own sources have maps of their own (one level down).
    if (ctx.depth > 1) return null;
    const own = loaded.get(source);
    if (own) {
      // The staged module's sources are relative to it: make them relative to the bundle's map.
      const base = path.dirname(staged(source));
      return { ...own, sources: own.sources.map((x) => (x === null ? x : path.relative(dir, path.resolve(base, x)).split(path.sep).join("/"))), sourceRoot: undefined };
    }
    return null;
  });
  composed.sources = composed.sources.map((x) => {
    if (x === null) return x;
    const rel = path.relative(staging, path.resolve(dir, x));
    return rel.startsWith("..") ? x : `tova-${rel.split(path.sep).join("/")}`; // runtime/server.js → tova-runtime/server.js
  });
  await writeFile(mapFile, JSON.stringify(composed));
}

/**
 * One client's browser bundle, named `<stem>.client[.<name>]-<hash>.js` by a
 * hash of its code alone: Bun's own `[hash]` and debug id change with the
 * directory it builds in, which would give the same code a new name (and
 * browsers a needless download) on every build.
 */
async function clientBundle(entry: string, dir: string): Promise<string> {
  const work = await mkdtemp(path.join(tmpdir(), "tova-client-"));
  try {
    await bunBuild([entry, "--target=browser", "--format=esm", "--minify", "--sourcemap=linked", `--outdir=${work}`, "--entry-naming=[name].[ext]"]);
    const name = path.basename(entry, ".js");
    const code = (await readFile(path.join(work, `${name}.js`), "utf8")).replace(/\n?\/\/# (debugId|sourceMappingURL)=.*$/gm, "").trimEnd();
    const map = JSON.parse(await readFile(path.join(work, `${name}.js.map`), "utf8")) as Record<string, unknown>;
    delete map["debugId"];
    const bundle = `${name}-${createHash("sha256").update(code).digest("hex").slice(0, 10)}.js`;
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, bundle), `${code}\n//# sourceMappingURL=${bundle}.map\n`);
    await writeFile(path.join(dir, `${bundle}.map`), JSON.stringify(map));
    return bundle;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
