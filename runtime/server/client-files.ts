// `tova dev` and built servers serve the client block (decisions.md,
// "Output"): the default server (or the first named one) answers `/` with a
// page that loads the compiled client module, and serves the `.js` modules of
// the build (the client, the shared module, the runtime) from its own folder.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface ClientFiles {
  /** The page for `/` (served unless the program has its own `GET /`). */
  page: string;
  /** Answers `/<module>.js` and `/runtime/<chunk>.js` from the build folder, or null for any other path and for the server modules. */
  file(pathname: string): Response | null;
}

export function clientFiles(dir: string, entry: string, title: string): ClientFiles {
  const page = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>${title.replace(/[<&>"]/g, "")}</title></head>
<body>
<div id="app"></div>
<script type="module" src="/${entry}"></script>
</body>
</html>
`;
  const cache = new Map<string, string>();
  // The server modules hold code the browser has no business reading: `<stem>.server[.<name>].js`.
  const serverModules = `/${entry.slice(0, entry.lastIndexOf(".client"))}.server.`;
  const isServerModule = (pathname: string) => pathname === `${serverModules}js` || pathname.startsWith(serverModules);
  return {
    page,
    file(pathname) {
      // Only `.js` files of the build folder and its runtime/, never anything above it.
      if (!/^\/(runtime\/)?[A-Za-z0-9._-]+\.js$/.test(pathname) || pathname.includes("..") || isServerModule(pathname)) return null;
      let text = cache.get(pathname);
      if (text === undefined) {
        const full = path.join(dir, pathname);
        if (!existsSync(full)) return null;
        text = readFileSync(full, "utf8");
        cache.set(pathname, text);
      }
      return new Response(text, { headers: { "content-type": "text/javascript; charset=utf-8" } });
    },
  };
}
