import { Project, ts } from "ts-morph";
import type { EmittedModule } from "../typescript/index.js";
import { moduleFacts, type EnvDeclaration } from "./facts.js";
import { ejectModule } from "./modules.js";
import { clientBundle, envExample, envFile, packageJson, readme, tsconfigJson, type ServerEntry } from "./project-files.js";
import { packageName, vendorRuntime } from "./runtime-sources.js";

/**
 * `tova eject` (issue 14): the emitted modules of a program made into a
 * standalone TypeScript project on Bun. Pure: the CLI compiles the program,
 * hands over the modules with their markers, the `.tova` texts (for the `///`
 * doc comments) and a reader of this package's runtime sources, and writes
 * the files this returns. The program's local modules, data files and static
 * folders are copied by the CLI (they are files, not code to transform).
 */
export interface EjectInput {
  stem: string;
  /** From `compile(..., { emit: ["ts"] })`: with source markers. */
  modules: readonly EmittedModule[];
  /** The `.tova` texts in the order markers index them (`CompileResult.files`). */
  sources: readonly string[];
  servers: readonly { name: string | null; port: number; portEnv: string }[];
  /** The npm packages the program imports, each with the version a package.json beside the program gives, or null. */
  npmImports: readonly { name: string; version: string | null }[];
  /** The versions this package pins (its package.json dependencies and devDependencies), for the runtime's packages and the tools. */
  pinned: Readonly<Record<string, string>>;
  /** A fresh TOVA_APP_KEY for the `.env` of a program with several servers (they must share one; cli/app-key.ts). */
  appKey: string;
  /** A file of this package by package-relative path (`runtime/server/app.ts`), or null. */
  readPackageFile(path: string): string | null;
}

export interface EjectedProject {
  /** Project-relative path → text. */
  files: Map<string, string>;
  /** Data files the program reads with a literal path (`read("people.json")`): the CLI copies those it finds. */
  dataFiles: string[];
}

const TOOLS = ["typescript", "@types/bun"];

export async function ejectProject(input: EjectInput): Promise<EjectedProject> {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  const files = new Map<string, string>();
  const runtimeModules = new Set<string>();
  const dataFiles = new Set<string>();
  const env: EnvDeclaration[] = [];
  for (const m of input.modules) {
    const facts = moduleFacts(project.createSourceFile(`/facts/${m.path}`, m.code, { overwrite: true }));
    facts.runtimeModules.forEach((r) => runtimeModules.add(r));
    facts.dataFiles.forEach((d) => dataFiles.add(d));
    env.push(...facts.env);
    files.set(`src/${m.path}`, await ejectModule(project, m, input.sources));
  }
  const runtime = vendorRuntime(project, [...runtimeModules].sort(), input.readPackageFile);
  for (const [p, text] of runtime.files) files.set(p, text);
  const dependencies: Record<string, string> = { bun: pin(input.pinned, "bun") };
  for (const p of runtime.packages) dependencies[p] = pin(input.pinned, p);
  const unpinned: string[] = [];
  for (const i of input.npmImports) {
    const name = packageName(i.name);
    if (!i.version) unpinned.push(name);
    dependencies[name] ??= i.version ?? "*";
  }
  if (input.npmImports.length) files.set("src/npm-modules.d.ts", npmDeclarations(input.npmImports.map((i) => i.name)));
  const servers: ServerEntry[] = input.modules
    .filter((m) => m.kind === "server")
    .map((m) => {
      const s = input.servers.find((x) => x.name === m.block)!;
      return { block: m.block, file: `src/${m.path}`, port: s.port, portEnv: s.portEnv };
    });
  const shared = input.modules.find((m) => m.kind === "shared");
  const clients = input.modules.filter((m) => m.kind === "client").map((m) => `src/${m.path}`);
  const facts = {
    stem: input.stem,
    servers,
    script: `src/${shared?.path ?? `${input.stem}.shared.ts`}`,
    clients,
    dependencies,
    devDependencies: Object.fromEntries(TOOLS.map((t) => [t, pin(input.pinned, t)])),
    env,
    unpinned,
    dataFiles: [...dataFiles],
  };
  files.set("package.json", packageJson(facts));
  files.set("tsconfig.json", tsconfigJson());
  files.set(".env.example", envExample(facts));
  files.set(".gitignore", ["node_modules/", ".env", "*.db", "*.db-shm", "*.db-wal", ...clients.map((c) => `/${clientBundle(c)}`), ""].join("\n"));
  files.set("README.md", readme(facts));
  if (servers.length > 1) files.set(".env", envFile(input.appKey));
  return { files, dataFiles: [...dataFiles] };
}

function pin(pinned: Readonly<Record<string, string>>, name: string): string {
  const version = pinned[name];
  if (!version) throw new Error(`the runtime imports ${name}, which this package does not pin`);
  return version;
}

/**
 * npm modules are dynamically typed in Tova (decisions.md, "Gradual typing"), and the emitted code uses them so:
 * an ambient declaration keeps them `any` even when the package has types of its own.
 */
function npmDeclarations(names: readonly string[]): string {
  const lines = ["// The npm modules the program imports, used untyped as the Tova program used them.", "// Delete a line to have TypeScript check the calls against the package's own types.", ...[...new Set(names)].sort().map((n) => `declare module ${JSON.stringify(n)};`)];
  return `${lines.join("\n")}\n`;
}
