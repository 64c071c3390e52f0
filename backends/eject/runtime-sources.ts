import path from "node:path";
import type { Project } from "ts-morph";
import { moduleSpecifiers } from "./modules.js";

/**
 * The runtime vendored as its own TypeScript sources (issue 14): only the
 * files reachable from the runtime modules the program imports, following
 * relative imports from `runtime/<module>/index.ts`, never a test or
 * `runtime/testing/`. Files keep their layout under `src/runtime/`; a file
 * the runtime imports from elsewhere in the package (`backends/client-page.ts`)
 * goes to `src/runtime/<its path>`, and the specifiers that reach it are
 * rewritten. `read` answers a package-relative path's text, or null.
 */
export interface VendoredRuntime {
  /** Project-relative path (`src/runtime/server/app.ts`) → text. */
  files: Map<string, string>;
  /** The npm packages the vendored files import (`hono` for `hono/jwt`), sorted. */
  packages: string[];
}

const BUILTIN = /^(node:|bun$|bun:)/;

export function vendorRuntime(project: Project, modules: readonly string[], read: (packagePath: string) => string | null): VendoredRuntime {
  const queue = modules.map((m) => `runtime/${m}/index.ts`);
  const texts = new Map<string, string>();
  const packages = new Set<string>();
  while (queue.length) {
    const p = queue.shift()!;
    if (texts.has(p) || excluded(p)) continue;
    const text = read(p);
    if (text === null) throw new Error(`the runtime source ${p} is missing`);
    texts.set(p, text);
    const file = project.createSourceFile(`/package/${p}`, text, { overwrite: true });
    for (const spec of moduleSpecifiers(file)) {
      const value = spec.getLiteralValue();
      if (value.startsWith(".")) queue.push(resolveSource(p, value, read));
      else if (!BUILTIN.test(value)) packages.add(packageName(value));
    }
  }
  const files = new Map<string, string>();
  for (const [p, text] of texts) {
    const file = project.getSourceFileOrThrow(`/package/${p}`);
    let changed = false;
    for (const spec of moduleSpecifiers(file)) {
      const value = spec.getLiteralValue();
      if (!value.startsWith(".")) continue;
      const target = resolveSource(p, value, read);
      const wanted = specifierBetween(destination(p), destination(target));
      if (path.posix.normalize(wanted) !== path.posix.normalize(value) && wanted !== value) {
        spec.setLiteralValue(wanted);
        changed = true;
      }
    }
    files.set(destination(p), changed ? file.getFullText() : text);
  }
  return { files, packages: [...packages].sort() };
}

/** Where a package file goes in the ejected project. */
function destination(p: string): string {
  return p.startsWith("runtime/") ? `src/${p}` : `src/runtime/${p}`;
}

function excluded(p: string): boolean {
  return p.endsWith(".test.ts") || p.startsWith("runtime/testing/");
}

/** A relative specifier of `from` as a package path: `./app.js` is `app.ts` beside it (the runtime is written with `.js` specifiers). */
function resolveSource(from: string, specifier: string, read: (p: string) => string | null): string {
  const joined = path.posix.join(path.posix.dirname(from), specifier);
  const stem = joined.replace(/\.js$/, "");
  const candidates = [`${stem}.ts`, `${stem}/index.ts`, joined];
  return candidates.find((c) => read(c) !== null) ?? `${stem}.ts`;
}

function specifierBetween(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, ".js");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** `hono/jwt` → `hono`, `@preact/signals-core/x` → `@preact/signals-core`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}
