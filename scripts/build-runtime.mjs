// `npm run build`, after tsc: the runtime library that generated programs
// import (runtime/README.md), as dist/runtime/<module>.js + <module>.d.ts.
//
// JavaScript: one `bun build` of the five modules with code splitting, so
// Hono and the code modules share (the schema nodes, the Result test) live
// once, in chunk files beside them. bun:* modules stay imports.
//
// Declarations: each source file's .d.ts comes from TypeScript's
// transpileDeclaration (no type-check, so it takes milliseconds; the runtime
// is written with explicit types on its exports for that). A module's public
// .d.ts is its index.d.ts with every `export * from "./file.js"` replaced by
// that file's declarations, imports of other modules' index rewritten to
// "./<module>.js", and nothing else allowed: a public declaration that needs
// an internal file, Hono, or bun:* fails the build, so generated code
// type-checks against these five files alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MODULES = ["stdlib", "schema", "server", "db", "client"];
// Entries generated code never imports (no declarations): the durable job queue, loaded by server.js only with Redis.
const BUNDLE_ONLY = ["durable"];
// `--out <dir>` builds elsewhere (the runtime's tests build a private copy each).
const outFlag = process.argv.indexOf("--out");
const out = outFlag === -1 ? path.join(root, "dist", "runtime") : path.resolve(process.argv[outFlag + 1]);
const started = performance.now();

for (const m of MODULES) if (!readdirSync(path.join(root, "runtime", m)).includes("index.ts")) fail(`runtime/${m}/index.ts is missing`);
rmSync(out, { recursive: true, force: true }); // also drops tsc's per-file output of runtime/
mkdirSync(out, { recursive: true });

bundle();
for (const m of MODULES) writeFileSync(path.join(out, `${m}.d.ts`), declarations(m));
console.log(`runtime: ${path.relative(process.cwd(), out) || "."}/{${MODULES.join(",")}}.{js,d.ts} in ${Math.round(performance.now() - started)} ms`);

function bundle() {
  const bun = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");
  if (!existsSync(bun)) fail(`${bun} is missing: run npm install`);
  const args = [
    "build",
    ...[...MODULES, ...BUNDLE_ONLY].map((m) => `runtime/${m}/index.ts`),
    "--target=bun",
    "--format=esm",
    "--splitting",
    "--root=runtime",
    `--outdir=${out}`,
    "--entry-naming=[dir].[ext]",
    "--chunk-naming=chunk-[hash].[ext]",
    "--external=bun:*",
  ];
  const result = spawnSync(bun, args, { cwd: root, encoding: "utf8" });
  if (result.status !== 0) fail(`bun build failed:\n${result.stdout}${result.stderr}`);
  for (const m of MODULES) if (!existsSync(path.join(out, `${m}.js`))) fail(`bun build did not write ${out}/${m}.js`);
}

/** The .d.ts text of one source file. */
function fileDeclarations(file) {
  const source = readFileSync(file, "utf8");
  const result = ts.transpileDeclaration(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true },
    reportDiagnostics: true,
  });
  if (result.diagnostics?.length) {
    const messages = result.diagnostics.map((d) => {
      const { line, character } = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : { line: 0, character: 0 };
      return `${path.relative(root, file)}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    fail(`declarations need explicit types:\n${messages.join("\n")}`);
  }
  return result.outputText;
}

/** The public declarations of module `m`, in one file. */
function declarations(m) {
  const dir = path.join(root, "runtime", m);
  const visited = new Set();
  const references = new Set();
  const imports = new Map(); // "./schema.js" -> Set of names
  const body = [];
  const declared = new Map(); // name -> file, to catch two files declaring the same name

  const inline = (file) => {
    if (visited.has(file)) return;
    visited.add(file);
    const rel = path.relative(root, file);
    // transpileDeclaration drops `/// <reference lib>`; the client's `Node` type needs lib "dom".
    for (const m of readFileSync(file, "utf8").matchAll(/^\/\/\/ <reference lib="([^"]+)" \/>/gm)) references.add(m[0]);
    for (const line of fileDeclarations(file).split("\n")) {
      const reference = /^\/\/\/ <reference (types|lib)="([^"]+)" \/>/.exec(line);
      if (reference) continue; // `types="bun"` is only for the runtime's own sources
      const reexport = /^export \* from "(\.\/[^"]+)\.js";$/.exec(line);
      if (reexport) {
        inline(path.join(dir, `${reexport[1]}.ts`));
        continue;
      }
      const imported = /^import (?:type )?\{([^}]*)\} from "([^"]+)";$/.exec(line);
      if (imported) {
        const [, names, from] = imported;
        if (from.startsWith("./")) {
          pendingIntra.push({ rel, target: path.join(dir, from.replace(/\.js$/, ".ts")) });
          continue;
        }
        const other = /^\.\.\/(\w+)\/index\.js$/.exec(from);
        if (!other || !MODULES.includes(other[1])) fail(`${rel}: public declarations import ${from} (only other runtime modules' index may be imported)`);
        const set = imports.get(`./${other[1]}.js`) ?? new Set();
        for (const name of names.split(",").map((n) => n.trim().replace(/^type /, "")).filter(Boolean)) set.add(name);
        imports.set(`./${other[1]}.js`, set);
        continue;
      }
      if (/^import |^export .* from /.test(line)) fail(`${rel}: unsupported declaration line: ${line}`);
      if (line === "export {};") continue;
      const decl = /^(?:export )?(?:declare )?(function|const|let|var|class|interface|type|enum|namespace) (\w+)/.exec(line);
      if (decl) {
        const [, kind, name] = decl;
        const previous = declared.get(name);
        if (previous && !(kind === "function" && previous.file === rel)) fail(`${rel}: ${name} is also declared in ${previous.file}`);
        declared.set(name, { file: rel, kind });
      }
      body.push(line);
    }
  };
  const pendingIntra = [];
  inline(path.join(dir, "index.ts"));
  for (const { rel, target } of pendingIntra) {
    if (!visited.has(target)) fail(`${rel}: public declarations use ${path.relative(root, target)}, which the module does not export`);
  }
  const importLines = [...imports].map(([from, names]) => `import type { ${[...names].sort().join(", ")} } from "${from}";`);
  const header = `// The Tova runtime, module "${m}" (generated by scripts/build-runtime.mjs from runtime/${m}/).`;
  return [...references, header, ...importLines, ...body.filter((l, i) => l !== "" || body[i - 1] !== "")].join("\n").trimEnd() + "\n";
}

function fail(message) {
  console.error(`build-runtime: ${message}`);
  process.exit(1);
}
