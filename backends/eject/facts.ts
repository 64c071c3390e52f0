import { Node, type SourceFile } from "ts-morph";

/**
 * What the ejected project's own files need to know about the emitted code,
 * read from its tree: which runtime modules it imports, which data files it
 * reads (stdlib `read` / `stream` with a literal path, scaling.md), and the
 * environment variables it declares (`loadEnv({ NAME: { type, default } })`,
 * runtime/server/env.ts).
 */
export interface ModuleFacts {
  runtimeModules: string[];
  dataFiles: string[];
  env: EnvDeclaration[];
}

export interface EnvDeclaration {
  name: string;
  /** The schema as written: `t.int`, `t.option(t.string)`. */
  type: string;
  /** The default's text when it has one (`30`, `"x"`, `null`). */
  default: string | null;
}

const DATA_READERS = new Set(["read", "stream"]);

export function moduleFacts(file: SourceFile): ModuleFacts {
  const runtimeModules = new Set<string>();
  for (const d of file.getImportDeclarations()) {
    const m = /^\.\/runtime\/([a-z]+)\.js$/.exec(d.getModuleSpecifierValue());
    if (m) runtimeModules.add(m[1]!);
  }
  const dataFiles = new Set<string>();
  const env: EnvDeclaration[] = [];
  file.forEachDescendant((node) => {
    if (!Node.isCallExpression(node)) return;
    const callee = node.getExpression().getText();
    const [first] = node.getArguments();
    if (DATA_READERS.has(callee) && first && Node.isStringLiteral(first)) dataFiles.add(first.getLiteralValue());
    if (callee === "loadEnv" && first && Node.isObjectLiteralExpression(first)) env.push(...envDeclarations(first));
  });
  return { runtimeModules: [...runtimeModules], dataFiles: [...dataFiles], env };
}

function envDeclarations(spec: Node): EnvDeclaration[] {
  if (!Node.isObjectLiteralExpression(spec)) return [];
  return spec.getProperties().flatMap((p) => {
    if (!Node.isPropertyAssignment(p)) return [];
    const value = p.getInitializer();
    if (!value || !Node.isObjectLiteralExpression(value)) return [];
    const field = (name: string) => {
      const f = value.getProperty(name);
      return f && Node.isPropertyAssignment(f) ? (f.getInitializer()?.getText() ?? null) : null;
    };
    return [{ name: p.getName(), type: field("type") ?? "t.string", default: field("default") }];
  });
}
