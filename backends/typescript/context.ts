import type * as ast from "../../frontend/ast.js";
import { JS_GLOBALS, STDLIB } from "../../ir/builtins.js";
import type { CheckedApp, NameInfo, SymbolRef } from "../../ir/checked.js";
import type { ClientBlock, Fn, PortedServer } from "../../ir/types.js";
import { TsFile } from "./builders.js";
import { forEachChild } from "./body.js";
import { isUnitEnum, schemaName, type TypeTable } from "./types.js";

/**
 * What an emitter needs to know about the module it is writing: which names
 * come from where (and the imports that brings), which calls are awaited, and
 * how enum variants are represented.
 */

export const RUNTIME = {
  stdlib: "./runtime/stdlib.js",
  schema: "./runtime/schema.js",
  server: "./runtime/server.js",
  db: "./runtime/db.js",
  client: "./runtime/client.js",
} as const;

/** JS globals the stdlib re-exports typed `any` (runtime/README.md, "stdlib"). */
const DYNAMIC_GLOBALS = new Set(["Date", "JSON", "Math", "console", "fetch", "Object", "Array", "Number", "String", "Promise", "Error", "setTimeout", "setInterval", "clearTimeout", "clearInterval"]);
const STDLIB_NAMES = new Set<string>([...STDLIB, ...JS_GLOBALS.filter((n) => DYNAMIC_GLOBALS.has(n))]);
const SERVER_FUNCTIONS = new Set(["publish", "spawn_job", "broadcast"]);

export interface ModuleOwner {
  kind: "shared" | "server" | "client";
  server?: PortedServer;
  client?: ClientBlock;
}

export class ModuleContext {
  readonly names: NameInfo;
  /** Names declared at module level (functions, bindings, models, env): locals that clash are renamed. */
  readonly moduleNames = new Set<string>();
  readonly asyncFns = new Set<string>();
  /** While top-level bindings are emitted: the current TypeScript name of a name bound again later. */
  readonly moduleAliases = new Map<string, string>();

  constructor(
    readonly app: CheckedApp,
    readonly owner: ModuleOwner,
    readonly file: TsFile,
    readonly types: TypeTable,
    private readonly fileIndex: ReadonlyMap<string, number>,
  ) {
    this.names = app.names;
  }

  private get variants() {
    return this.types.variants;
  }

  get sharedModule(): string {
    return `./${this.app.stem}.shared.js`;
  }

  /** Imports `name` from the runtime's stdlib and gives back the name to write. */
  stdlib(name: string): string {
    this.file.use(RUNTIME.stdlib, name);
    return name;
  }

  /** Records that a type name is used, importing it when it is declared in the shared block. */
  readonly useType = (name: string): void => {
    if (name === "Result") {
      this.file.use(RUNTIME.stdlib, "Result", true);
      return;
    }
    if (this.owner.kind === "shared") return;
    if (this.app.shared.types.some((t) => t.name === name)) this.file.use(this.sharedModule, name, true);
  };

  /** Imports a schema constant of a shared type. */
  readonly useSchema = (name: string): void => {
    if (name.endsWith("Schema") && this.owner.kind !== "shared") {
      const type = name.slice(0, -"Schema".length);
      if (this.app.shared.types.some((t) => t.name === type)) this.file.use(this.sharedModule, name);
    }
  };

  isUnitVariant(name: string): boolean {
    const v = this.variants.get(name);
    return !!v && isUnitEnum(v.decl);
  }

  variantFields(name: string): string[] {
    return this.variants.get(name)?.fields ?? [];
  }

  detached(): TsFile {
    return new TsFile(this.fileIndex);
  }

  /** How a name that is not a local reads in this module. */
  reference(name: string, sym: SymbolRef | undefined, forWrite: boolean): string {
    if (!sym) return name;
    switch (sym.kind) {
      case "builtin":
        if (name === "None") return "null";
        if (name === "server" && this.owner.kind === "client") return "server";
        if (SERVER_FUNCTIONS.has(name)) {
          this.file.use(RUNTIME.server, name);
          return name;
        }
        if (name === "delete_all") {
          this.file.use(RUNTIME.db, name);
          return name;
        }
        if (STDLIB_NAMES.has(name)) return this.stdlib(name);
        return name;
      case "fn":
        if (sym.owner === undefined && this.owner.kind !== "shared" && this.app.shared.fns.some((f) => f.name === name)) this.file.use(this.sharedModule, name);
        return name;
      case "block-binding":
      case "var":
        if (this.moduleAliases.has(name)) return this.moduleAliases.get(name)!;
        if (sym.owner === undefined && this.owner.kind !== "shared" && this.app.shared.bindings.some((b) => b.name === name)) {
          this.file.use(this.sharedModule, name);
        }
        return name;
      case "variant": {
        const v = this.variants.get(name);
        if (v && isUnitEnum(v.decl)) return JSON.stringify(name);
        if (this.owner.kind !== "shared" && this.app.shared.types.some((t) => t.def.kind === "enum" && t.def.variants.some((x) => x.name === name))) {
          this.file.use(this.sharedModule, name);
        }
        return name;
      }
      case "state":
      case "computed":
        return `${name}.value`;
      case "import": {
        const imp = this.app.shared.imports.find((i) => i.defaultName === name || i.names.some((n) => (n.alias ?? n.name) === name));
        if (imp && this.owner.kind !== "shared") {
          if (imp.defaultName === name) this.file.useDefault(imp.from, name);
          else {
            const n = imp.names.find((x) => (x.alias ?? x.name) === name)!;
            this.file.use(imp.from, n.alias ? `${n.name} as ${n.alias}` : n.name);
          }
        }
        return name;
      }
      default:
        void forWrite;
        return name;
    }
  }

  /** Calls with their own form: positional record construction. */
  specialCall(name: string, sym: SymbolRef | undefined, args: string[]): string | null {
    if (sym?.kind === "type") {
      const decl = this.types.decls.get(name);
      const fields = decl?.def.kind === "record" ? decl.def.fields : this.types.models.get(name);
      if (!fields) return null;
      this.useType(name);
      const parts = fields.map((f, i) => `${f.name}: ${args[i] ?? "null"}`);
      return `{ ${parts.join(", ")} } satisfies ${name}`;
    }
    return null;
  }

  /** Calls answered over the network are awaited: peer functions, `server.f()`, and local async functions. */
  isAsyncCall(call: ast.CallExpr): boolean {
    const c = call.callee;
    if (c.kind === "Member" && c.object.kind === "Ident") {
      const sym = this.names.symbols.get(c.object);
      if (sym?.kind === "peer") return true;
      if (sym?.kind === "builtin" && sym.name === "server" && this.owner.kind === "client") return true;
      return false;
    }
    if (c.kind === "Ident") {
      const sym = this.names.symbols.get(c);
      return sym?.kind === "fn" && this.asyncFns.has(c.name);
    }
    return false;
  }

  /** Which of these functions are async: they await, or call one that is (to a fixed point). */
  inferAsync(fns: Fn[]): void {
    for (const f of fns) if (f.async) this.asyncFns.add(f.name);
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of fns) {
        if (this.asyncFns.has(f.name)) continue;
        if (awaits(f.body, this)) {
          this.asyncFns.add(f.name);
          changed = true;
        }
      }
    }
  }

  /** JSX as calls to the client runtime's `h` (a later issue makes them run in a browser). */
  jsx(e: ast.JsxElement, expr: (x: ast.Expr) => string, declare: (name: string, fn: (ts: string) => string) => string): string {
    this.file.use(RUNTIME.client, "h");
    const tag = /^[A-Z]/.test(e.tag) ? e.tag : JSON.stringify(e.tag || "div");
    const props = e.attrs.length
      ? `{ ${e.attrs.map((a) => `${/^[A-Za-z_$][\w$]*$/.test(a.name) ? a.name : JSON.stringify(a.name)}: ${a.value ? expr(a.value) : "true"}`).join(", ")} }`
      : "null";
    const children = e.children.map((c) => this.jsxChild(c, expr, declare)).filter((c) => c !== null);
    return `h(${[tag, props, ...children].join(", ")})`;
  }

  private jsxChild(c: ast.JsxChild, expr: (x: ast.Expr) => string, declare: (name: string, fn: (ts: string) => string) => string): string | null {
    switch (c.kind) {
      case "JsxText": {
        const text = c.text.replace(/\s+/g, " ");
        return text.trim() === "" ? null : JSON.stringify(text);
      }
      case "JsxExpr":
        return expr(c.expr);
      case "JsxElement":
        return this.jsx(c, expr, declare);
      case "JsxFor": {
        const iterable = expr(c.iterable);
        const names = c.names.map((n) => n.name);
        // `for x in xs` maps values; `for i, x in xs` maps (value, index).
        const [value, index] = names.length === 2 ? [names[1]!, names[0]!] : [names[0]!, null];
        return declare(value, (v) => {
          const render = (i: string | null) => {
            const items = c.children.map((x) => this.jsxChild(x, expr, declare)).filter((x) => x !== null);
            const body = items.length === 1 ? items[0] : `[${items.join(", ")}]`;
            return `${iterable}.map((${v}: any${i ? `, ${i}: number` : ""}) => ${body})`;
          };
          return index ? declare(index, (i) => render(i)) : render(null);
        });
      }
      case "JsxIf": {
        const group = (xs: ast.JsxChild[]) => {
          const items = xs.map((x) => this.jsxChild(x, expr, declare)).filter((x) => x !== null);
          return items.length === 1 ? items[0]! : `[${items.join(", ")}]`;
        };
        const otherwise = c.otherwise ? group(c.otherwise) : "null";
        return c.branches.reduceRight((acc, b) => `${expr(b.cond)} ? ${group(b.children)} : ${acc}`, otherwise);
      }
    }
  }

  schemaName(type: string): string {
    return schemaName(type);
  }
}

function awaits(body: ast.Expr, ctx: ModuleContext): boolean {
  let found = false;
  const visit = (x: ast.Expr): void => {
    if (found) return;
    if (x.kind === "Await" || (x.kind === "Call" && ctx.isAsyncCall(x))) {
      found = true;
      return;
    }
    if (x.kind === "Lambda") return;
    forEachChild(x, visit);
  };
  visit(body);
  return found;
}

