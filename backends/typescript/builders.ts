import CodeBlockWriter from "code-block-writer";
import type { Span } from "../../frontend/span.js";

/**
 * The one place that knows how TypeScript text is put together. Emitters
 * describe declarations and statements through these builders and never
 * concatenate code themselves. Built on ts-morph's writer (code-block-writer),
 * which handles indentation and blocks.
 *
 * Each statement can carry the `.tova` span it came from: the builders write
 * it as a `/*@file:offset*\/` marker that `source-map.ts` uses to report
 * TypeScript's errors at the `.tova` line, and that `stripMarkers` removes
 * before the code is formatted or compiled.
 */

export class TsFile {
  private readonly w = new CodeBlockWriter({ indentNumberOfSpaces: 2, useSingleQuote: false });
  private readonly imports = new Map<string, { values: Set<string>; types: Set<string> }>();
  private readonly defaults = new Map<string, string>();
  /** Modules imported for what their top level does (`import "module"`), when no name of theirs is used. */
  private readonly evaluated = new Set<string>();

  /** `import name from "module"`. */
  useDefault(module: string, name: string): void {
    this.defaults.set(module, name);
  }

  constructor(private readonly fileIndex: ReadonlyMap<string, number>) {}

  /** `import { a, type B } from "module"`; gathered and written at the top. */
  use(module: string, name: string, typeOnly = false): void {
    let entry = this.imports.get(module);
    if (!entry) {
      entry = { values: new Set(), types: new Set() };
      this.imports.set(module, entry);
    }
    (typeOnly ? entry.types : entry.values).add(name);
  }

  /** `import "module"`: the module's top-level statements run before this one's (unless a name of it is imported anyway). */
  evaluate(module: string): void {
    this.evaluated.add(module);
  }

  marker(span: Span | undefined): string {
    if (!span) return "";
    const i = this.fileIndex.get(span.file);
    return i === undefined ? "" : `/*@${i}:${span.start}*/`;
  }

  /** One statement line (a `;` is added when missing). */
  line(text: string, span?: Span): this {
    const trimmed = text.trim();
    const isBlock = /^(if|else|for|while|switch|try|catch|finally|function|async function|export function|export async function)\b/.test(trimmed) && trimmed.endsWith("}");
    const needsSemicolon = !trimmed.endsWith(";") && !trimmed.startsWith("//") && !isBlock;
    this.w.writeLine(`${this.marker(span)}${text}${needsSemicolon ? ";" : ""}`);
    return this;
  }

  /**
   * A line the compiler adds on its own (registrations, `Bun.serve`): marked
   * `/*@-*\/`, so a type error in it is reported as a compiler bug, not
   * blamed on the program line before it.
   */
  generated(text: string): this {
    this.w.writeLine(`/*@-*/${text}${text.trimEnd().endsWith(";") ? "" : ";"}`);
    return this;
  }

  /** A comment line. */
  comment(text: string): this {
    this.w.writeLine(`// ${text}`);
    return this;
  }

  blank(): this {
    this.w.blankLineIfLastNot();
    return this;
  }

  /** `head {` body `}` (the head has no brace). */
  block(head: string, body: () => void, span?: Span): this {
    this.w.write(`${this.marker(span)}${head} `).inlineBlock(body);
    this.w.newLine();
    return this;
  }

  /** `head {` body `} tail` without a newline, for `if (...) { } else ...` chains. */
  chain(parts: { head: string; body: () => void }[], span?: Span): this {
    parts.forEach((p, i) => {
      this.w.write(`${i === 0 ? this.marker(span) : " "}${p.head} `).inlineBlock(p.body);
    });
    this.w.newLine();
    return this;
  }

  /** `export interface Name<T> { field: Type; }` */
  interface(name: string, typeParams: string[], fields: { name: string; type: string }[], exported = true, span?: Span): this {
    const tps = typeParams.length ? `<${typeParams.join(", ")}>` : "";
    return this.block(`${exported ? "export " : ""}interface ${name}${tps}`, () => {
      for (const f of fields) this.w.writeLine(`${propertyName(f.name)}: ${f.type};`);
    }, span);
  }

  /** `export type Name = ...;` */
  typeAlias(name: string, typeParams: string[], type: string, span?: Span): this {
    const tps = typeParams.length ? `<${typeParams.join(", ")}>` : "";
    return this.line(`export type ${name}${tps} = ${type};`, span);
  }

  /** `export [async] function name<T>(params): Ret { body }` */
  function(
    fn: { name: string; exported: boolean; async: boolean; typeParams: string[]; params: string[]; returnType: string | null },
    body: () => void,
    span?: Span,
  ): this {
    const tps = fn.typeParams.length ? `<${fn.typeParams.join(", ")}>` : "";
    const ret = fn.returnType ? `: ${fn.returnType}` : "";
    return this.block(`${fn.exported ? "export " : ""}${fn.async ? "async " : ""}function ${fn.name}${tps}(${fn.params.join(", ")})${ret}`, body, span);
  }

  /** The file's text: imports first, then the body. */
  toString(): string {
    const head: string[] = [];
    for (const [module, name] of this.defaults) head.push(`import ${name} from "${module}";`);
    for (const module of this.evaluated) {
      if (!this.defaults.has(module) && !this.imports.get(module)?.values.size) head.push(`import "${module}";`);
    }
    for (const [module, { values, types }] of this.imports) {
      const names = [...[...values].sort(), ...[...types].filter((t) => !values.has(t)).sort().map((t) => `type ${t}`)];
      if (names.length) head.push(`import { ${names.join(", ")} } from "${module}";`);
    }
    return (head.length ? head.join("\n") + "\n\n" : "") + this.w.toString();
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An object key or interface member as written: bare when it can be. */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** Removes the source markers the builders wrote. */
export function stripMarkers(code: string): string {
  return code.replace(/\/\*@(?:\d+:\d+|-)\*\//g, "");
}
