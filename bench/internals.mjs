// Two figures for bench/compile.mjs, each in a process of its own:
//   node --expose-gc --min-semi-space-size=512 --max-semi-space-size=512 internals.mjs ROOT BIG.tova ONE.tova
// prints {tokens, lexerBytesPerToken, parserBytesPerToken, modules, packages}.
// Allocation: with a young generation larger than one parse, no collection
// runs during it, so the growth of the used heap is what it allocated.
// Modules: `tova check ONE.tova` run under a loader hook that counts every
// module Node loads (the CLI's own files and those of npm packages).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";

const [root, big, one] = process.argv.slice(2);

if (process.env.TOVA_COUNT_MODULES) {
  // The child: register the counting hook, then run the CLI.
  const { register } = await import("node:module");
  const { MessageChannel } = await import("node:worker_threads");
  const { port1, port2 } = new MessageChannel();
  const urls = new Set();
  port1.on("message", (url) => urls.add(url));
  port1.unref();
  const hook = `data:text/javascript,${encodeURIComponent(`let port; export function initialize(d) { port = d.port; } export async function load(url, context, next) { if (url.startsWith("file:")) port.postMessage(url); return next(url, context); }`)}`;
  register(hook, { data: { port: port2 }, transferList: [port2] });
  const { createRequire } = await import("node:module");
  const cli = path.join(root, "dist", "cli", existsSync(path.join(root, "dist", "cli", "bin.cjs")) ? "bin.cjs" : "main.js");
  // `tova check` runs from its own bundle when the build made one (bin.cts), else from the whole CLI's.
  const bundle = ["tova-check.bundle.cjs", "tova.bundle.cjs"].map((f) => path.join(root, "dist", "cli", f)).find((f) => existsSync(f)) ?? "";
  process.on("exit", () => {
    // CommonJS files are not seen by the hook: the require cache has them. bin.cjs compiles the bundle itself (vm.Script).
    for (const f of Object.keys(createRequire(import.meta.url).cache)) urls.add(pathToFileURL(f).href);
    if (cli.endsWith("bin.cjs") && bundle !== "") urls.add(pathToFileURL(bundle).href);
    const files = [...urls];
    process.stderr.write(`modules ${JSON.stringify({ own: files.filter((u) => !u.includes("/node_modules/")).length, packages: files.filter((u) => u.includes("/node_modules/")).length })}\n`);
  });
  process.argv.splice(1, process.argv.length - 1, cli, "check", one);
  await import(pathToFileURL(cli).href);
} else {
  const url = (p) => pathToFileURL(path.join(root, "dist", p)).href;
  const { lex } = await import(url("frontend/lexer.js"));
  const { parse } = await import(url("frontend/parse.js"));
  const text = readFileSync(big, "utf8");
  for (let i = 0; i < 3; i++) parse(text, "bench.tova"); // warm: the code's own allocations, not the JIT's
  const count = (tokens) => tokens.reduce((n, t) => n + 1 + (t.parts ?? []).reduce((m, p) => m + (p.tokens ? count(p.tokens) : 0), 0), 0);
  const tokens = count(lex(text, "bench.tova").tokens);
  const used = () => v8.getHeapStatistics().used_heap_size;
  globalThis.gc();
  let before = used();
  let kept = lex(text, "bench.tova");
  const lexBytes = used() - before;
  kept = null;
  globalThis.gc();
  before = used();
  kept = parse(text, "bench.tova");
  const parseBytes = used() - before; // lexing included
  kept = null;
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), root, big, one], { encoding: "utf8", env: { ...process.env, TOVA_COUNT_MODULES: "1" } });
  const modules = JSON.parse(/modules (.*)/.exec(child.stderr)?.[1] ?? '{"own":null,"packages":null}');
  console.log(JSON.stringify({ tokens, lexerBytesPerToken: lexBytes / tokens, parserBytesPerToken: (parseBytes - lexBytes) / tokens, modules: modules.own, packages: modules.packages }));
}
