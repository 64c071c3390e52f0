// `tova dev` and built servers serve the client blocks (decisions.md,
// "Output"; client.md): the default server (or the first named one) answers
// `/` with a page that loads the unnamed client's module, `/<name>/` with a
// named client's, and serves the modules the browser needs for them, and nothing else (security.md: "A server never serves
// its own modules, the program's source, local modules or anything outside
// the client's files and `static`'s directory").
//
// The list is the client's import closure, computed once at start by reading
// the modules' import statements with Bun's own parser (Bun.Transpiler, so a
// string or comment that looks like an import is not one): the entry, the
// shared module, the runtime files and chunks they import, and any local
// module the client itself imports. A module that only server code imports is
// not in it, nor is any `.js.map`. Computing it here, rather than having the
// compiler list the files, keeps it right when the runtime's chunk names
// change with each runtime build.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { exitWithError } from "./lifecycle.js";
import { clientPage } from "../../backends/client-page.js";

export interface ClientFiles {
  /** The page of the client mounted at `pathname` (`/`, `/admin/`), or null. */
  page(pathname: string): string | null;
  /** The mount paths, for a request to `/admin` without its slash. */
  mounts: readonly string[];
  /** True for the paths `file` answers. */
  has(pathname: string): boolean;
  /** Answers a module of a client's import closure, or null for any other path. */
  file(pathname: string): Response | null;
}

/** One client block: its compiled module and where its page is (`/` unnamed, `/<name>/` named; client.md). */
export interface ClientMount {
  entry: string;
  mount: string;
}

/** `cache`: the Cache-Control of the production bundles (`static`'s `cache` when set; a year, immutable, otherwise). */
export function clientFiles(dir: string, clients: readonly ClientMount[], title: string, cache: string | null = null): ClientFiles {
  if (existsSync(path.join(dir, "client", "manifest.json"))) return productionFiles(dir, cache ?? IMMUTABLE);
  const pages = new Map(clients.map((c) => [c.mount, clientPage(`/${c.entry}`, c.mount === "/" ? title : `${title} ${c.mount.slice(1, -1)}`)]));
  const modules = new Map<string, string>();
  for (const c of clients) for (const [url, text] of importClosure(dir, c.entry)) modules.set(url, text);
  return {
    page: (pathname) => pages.get(pathname) ?? null,
    mounts: [...pages.keys()],
    has: (pathname) => modules.has(pathname) || pages.has(pathname),
    file(pathname) {
      const text = modules.get(pathname);
      // Development builds change under the same names: the browser revalidates every time.
      return text === undefined ? null : new Response(text, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" } });
    },
  };
}

/** One year: the bundles of `tova build --production` are named by their content, so a name never changes meaning. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The output of `tova build --production` (cli/production.ts): the pages
 * (`client/index.html`, `client/<name>/index.html`) and the content-hashed
 * bundles `client/manifest.json` lists, read once at start. Only those
 * bundles are served (not their maps), with long-lived cache headers.
 */
function productionFiles(dir: string, cacheControl: string): ClientFiles {
  const manifest = JSON.parse(readFileSync(path.join(dir, "client", "manifest.json"), "utf8")) as Record<string, string>;
  const pages = new Map<string, string>();
  const bundles = new Map<string, string>();
  for (const [mount, bundle] of Object.entries(manifest)) {
    if (!/^\/([A-Za-z0-9_-]+\/)?$/.test(mount) || !/^[\w.-]+\.js$/.test(bundle)) exitWithError(`client/manifest.json: not a client mount and bundle: ${JSON.stringify(mount)}: ${JSON.stringify(bundle)}`);
    pages.set(mount, readFileSync(path.join(dir, "client", mount.slice(1), "index.html"), "utf8"));
    bundles.set(`/client/${bundle}`, readFileSync(path.join(dir, "client", bundle), "utf8"));
  }
  return {
    page: (pathname) => pages.get(pathname) ?? null,
    mounts: [...pages.keys()],
    has: (pathname) => bundles.has(pathname) || pages.has(pathname),
    file(pathname) {
      const text = bundles.get(pathname);
      return text === undefined ? null : new Response(text, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": cacheControl } });
    },
  };
}

/** URL path (`/app.client.js`, `/runtime/client.js`) → module text, for `entry` and every module it imports, inside `dir`. */
export function importClosure(dir: string, entry: string): Map<string, string> {
  const root = path.resolve(dir);
  const transpiler = new Bun.Transpiler({ loader: "js" });
  const modules = new Map<string, string>();
  const first = path.resolve(root, entry);
  if (!existsSync(first)) exitWithError(`the client module ${entry} is missing from ${root}`);
  const pending = [first];
  while (pending.length) {
    const file = pending.pop()!;
    const rel = path.relative(root, file);
    const url = `/${rel.split(path.sep).join("/")}`;
    if (modules.has(url)) continue;
    const text = readFileSync(file, "utf8");
    modules.set(url, text);
    for (const imported of transpiler.scanImports(text)) {
      // Relative `.js` specifiers only: bare ones (npm packages, `bun:*`) are not files of the build.
      if (!/^\.\.?\//.test(imported.path) || !imported.path.endsWith(".js")) continue;
      const target = path.resolve(path.dirname(file), imported.path);
      const inside = path.relative(root, target);
      if (inside.startsWith("..") || path.isAbsolute(inside) || !existsSync(target)) continue;
      pending.push(target);
    }
  }
  return modules;
}
