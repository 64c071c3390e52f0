import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { LocalImport } from "../compile.js";
import { diagnostic } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/types.js";
import type { Span } from "../frontend/span.js";

/**
 * The program's own modules (`import { slugify } from "./helpers.js"`,
 * language.md "import"). The emitted modules sit side by side at the root of
 * the output directory and keep the specifier as written, so each local
 * module is bundled (with its own relative imports, npm packages left
 * external) to that specifier's path inside the output directory: a build
 * is self-contained and can be uploaded as it is.
 */
export interface LocalModule {
  /** Where it goes, relative to the output directory: `helpers.js`, `lib/dates.ts`. */
  out: string;
  /** The file it is bundled from. */
  source: string;
  /** Every name some `.tova` file imports from it (`default` included), for its declaration. */
  names: string[];
  /** The first import of it, where a problem with it is reported. */
  span: Span;
}

const EXTENSIONS = [".ts", ".js", ".mts", ".mjs", ".tsx", ".jsx"];

/** Where each local import's file is and where it goes; a missing or unplaceable one is an E0120 at the import. */
export function planLocalImports(imports: readonly LocalImport[]): { modules: LocalModule[]; diagnostics: Diagnostic[] } {
  const modules = new Map<string, LocalModule>();
  const diagnostics: Diagnostic[] = [];
  for (const imp of imports) {
    const out = path.posix.normalize(imp.from.replace(/\\/g, "/"));
    if (out.startsWith("../") || out === "..") {
      diagnostics.push(
        diagnostic("E0120", imp.span, `the local module "${imp.from}" is outside this file's directory`, {
          hint: "local modules are bundled beside the emitted code under the path they are imported by; move the file next to (or below) the .tova file, or publish it as an npm package",
        }),
      );
      continue;
    }
    const wanted = path.resolve(path.dirname(imp.file), imp.from);
    const source = resolveFile(wanted);
    if (!source) {
      diagnostics.push(diagnostic("E0120", imp.span, `cannot find the local module "${imp.from}" (looked for ${path.relative(process.cwd(), wanted) || wanted})`, { hint: "the path is relative to the .tova file that imports it" }));
      continue;
    }
    const at = path.extname(out) ? out : `${out}.js`;
    const known = modules.get(at);
    if (known && known.source !== source) {
      diagnostics.push(diagnostic("E0120", imp.span, `"${imp.from}" names ${path.relative(process.cwd(), source)} here and ${path.relative(process.cwd(), known.source)} in another file`, { hint: "two .tova files in different directories import different files under one path; rename one of them" }));
      continue;
    }
    const entry = known ?? { out: at, source, names: [], span: imp.span };
    for (const n of imp.names) if (!entry.names.includes(n)) entry.names.push(n);
    modules.set(at, entry);
  }
  return { modules: [...modules.values()], diagnostics };
}

function resolveFile(wanted: string): string | null {
  const candidates = path.extname(wanted) ? [wanted] : [...EXTENSIONS.map((e) => wanted + e), ...EXTENSIONS.map((e) => path.join(wanted, `index${e}`))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/**
 * The declaration the type-check sees for a local module: every imported
 * name as `any` (local modules are dynamically typed, like npm modules), at
 * the path TypeScript resolves the specifier to.
 */
export function declarationOf(m: LocalModule): { path: string; text: string } {
  const ext = path.extname(m.out);
  const stem = m.out.slice(0, m.out.length - ext.length);
  const file = /^\.[mc]?tsx?$/.test(ext) ? m.out : `${stem}.d.${ext === ".mjs" ? "mts" : ext === ".cjs" ? "cts" : "ts"}`;
  const lines = m.names.map((n) => (n === "default" ? "declare const _default: any;\nexport default _default;" : `export declare const ${n}: any;`));
  return { path: file, text: `${lines.join("\n")}\nexport {};\n` };
}
