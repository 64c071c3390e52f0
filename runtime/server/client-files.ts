// `tova dev` and built servers serve the client block (decisions.md,
// "Output"): the default server (or the first named one) answers `/` with a
// page that loads the compiled client module, and serves the modules the
// browser needs for it, and nothing else (security.md: "A server never serves
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

export interface ClientFiles {
  /** The page for `/` (served unless the program has its own `GET /`). */
  page: string;
  /** True for the paths `file` answers. */
  has(pathname: string): boolean;
  /** Answers a module of the client's import closure, or null for any other path. */
  file(pathname: string): Response | null;
}

export function clientFiles(dir: string, entry: string, title: string): ClientFiles {
  const page = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title.replace(/[<&>"]/g, "")}</title>
</head>
<body>
<div id="app"></div>
<script type="module" src="/${entry}"></script>
</body>
</html>
`;
  const modules = importClosure(dir, entry);
  return {
    page,
    has: (pathname) => modules.has(pathname),
    file(pathname) {
      const text = modules.get(pathname);
      return text === undefined ? null : new Response(text, { headers: { "content-type": "text/javascript; charset=utf-8" } });
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
