import { Node, type Project, type SourceFile, type StringLiteral } from "ts-morph";
import { stripMarkers } from "../typescript/builders.js";
import { formatModule } from "../typescript/format.js";
import { docCommentAt, markerPosition } from "./doc-comments.js";

/**
 * One emitted module (a block, builders.ts) made into a file of the ejected
 * project, with ts-morph over its tree: the `///` doc comments of the
 * declarations carried over as TSDoc, the compiler's markers removed, the
 * runtime's imports pointed at its vendored sources (`./runtime/server.js`
 * becomes `./runtime/server/index.js`), imports organised; then formatted
 * like `--emit ts` (prettier, format.ts).
 */
export async function ejectModule(project: Project, module: { path: string; code: string }, sources: readonly string[]): Promise<string> {
  const file = project.createSourceFile(`/src/${module.path}`, module.code, { overwrite: true });
  const docs = documentedStatements(file, sources);
  // Markers are comments: removing them leaves the same statements, so the indices found above still hold.
  file.replaceWithText(stripMarkers(file.getFullText()));
  const statements = file.getStatements();
  for (const [index, description] of docs) {
    const statement = statements[index];
    if (statement && Node.isJSDocable(statement)) statement.insertJsDoc(0, { description });
  }
  for (const spec of moduleSpecifiers(file)) {
    const vendored = runtimeEntry(spec.getLiteralValue());
    if (vendored) spec.setLiteralValue(vendored);
  }
  file.organizeImports();
  return formatModule(file.getFullText());
}

/** `./runtime/<module>.js` (the bundled runtime) → `./runtime/<module>/index.js` (its sources); null for any other specifier. */
export function runtimeEntry(specifier: string): string | null {
  const m = /^\.\/runtime\/([a-z]+)\.js$/.exec(specifier);
  return m ? `./runtime/${m[1]}/index.js` : null;
}

/**
 * The top-level statements that start where a documented `.tova` declaration
 * starts, with the comment. A declaration can produce several statements (a
 * function and its `app.rpc` registration): the first one takes the comment.
 */
function documentedStatements(file: SourceFile, sources: readonly string[]): Map<number, string> {
  const docs = new Map<number, string>();
  const seen = new Set<string>();
  file.getStatements().forEach((statement, index) => {
    for (const range of statement.getLeadingCommentRanges()) {
      const at = markerPosition(range.getText());
      if (!at) continue;
      const key = `${at.file}:${at.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const doc = sources[at.file] === undefined ? null : docCommentAt(sources[at.file]!, at.offset);
      if (doc) docs.set(index, doc);
    }
  });
  return docs;
}

/** The string literals of the file's imports and re-exports: static, `import("...")`, and types' `typeof import("...")`. */
export function moduleSpecifiers(file: SourceFile): StringLiteral[] {
  const out: StringLiteral[] = [];
  for (const d of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
    const spec = d.getModuleSpecifier();
    if (spec) out.push(spec);
  }
  file.forEachDescendant((node) => {
    if (Node.isCallExpression(node) && Node.isImportExpression(node.getExpression())) {
      const arg = node.getArguments()[0];
      if (arg && Node.isStringLiteral(arg)) out.push(arg);
    } else if (Node.isImportTypeNode(node)) {
      const arg = node.getArgument();
      const literal = Node.isLiteralTypeNode(arg) ? arg.getLiteral() : undefined;
      if (literal && Node.isStringLiteral(literal)) out.push(literal);
    }
  });
  return out;
}
