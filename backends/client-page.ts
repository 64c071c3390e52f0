// The page that loads a client block's module (client.md): written by the
// runtime in development (runtime/server/client-files.ts) and by
// `tova build --production` into dist/client/ (cli/production.ts). It has no
// imports, so both the compiler and the runtime bundle can use it.

/** `src`: the module's URL path; `title`: the page's title (escaped here). */
export function clientPage(src: string, title: string): string {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title.replace(/[<&>"]/g, "")}</title>
</head>
<body>
<div id="app"></div>
<script type="module" src="${src}"></script>
</body>
</html>
`;
}
