import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import { JS_GLOBALS, STDLIB } from "../../ir/builtins.js";
import type { CheckedApp, NameInfo, SymbolRef } from "../../ir/checked.js";
import type { ClientBlock, Fn, PortedServer } from "../../ir/types.js";
import { forEachChild } from "../../ir/walk.js";
import { TsFile } from "./builders.js";
import { boundValues, paramsAndCalls, spanKey } from "./lambda-bindings.js";
import { MODULE_LEVEL_IMPORTS, safeName, sharedNames } from "./hygiene.js";
import { Lowerer } from "./lower/lowerer.js";
import { isUnitEnum, schemaOf, type TypeTable } from "./types.js";
import type { TypeExpr } from "../../ir/types.js";
import { containsAny, isDefinite, type Ty } from "../../ir/typing/ty.js";

/** Expressions whose own TypeScript type would be narrower than a value Tova found dynamic. */
const LITERAL_LIKE = new Set<ast.Expr["kind"]>(["Num", "Str", "Template", "Bool", "Array", "Object", "If", "Match", "Try", "Block"]);

/** Types whose values print differently from what they look like at run time: an Option's `Some`, records, variants, Results. */
function needsSchema(t: Ty): boolean {
  switch (t.k) {
    case "option": case "named": case "result": return true;
    case "array": return needsSchema(t.el);
    case "map": return needsSchema(t.value);
    default: return false;
  }
}

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
const SERVER_FUNCTIONS = new Set(["publish", "spawn_job", "broadcast", "sign_jwt", "has_role", "can"]);

export interface ModuleOwner {
  kind: "shared" | "server" | "client";
  server?: PortedServer;
  client?: ClientBlock;
}

/** The stdlib functions that take a callback and have an awaiting variant (`each` awaits a waiting callback itself). */
const AWAITING = new Set(["map", "filter", "where", "drop_nil", "flat_map", "group_by", "sum", "count", "min", "max", "sort_by", "reduce", "find", "any", "all", "each"]);

export class ModuleContext {
  readonly names: NameInfo;
  /**
   * Names taken at module level: the program's declarations visible here, the
   * runtime's imports and the names the emitter introduced. Locals that clash are renamed.
   */
  readonly moduleNames = new Set<string>();
  /** Runtime imports by module and export: the local name each got (hygiene.ts). */
  private readonly imported = new Map<string, string>();
  private lowering: Lowerer | null = null;
  readonly asyncFns = new Set<string>();
  private readonly lambdaAsync = new Map<ast.LambdaExpr, boolean>();
  /** Functions of other server blocks found to wait or not (`fnWaits`). */
  private readonly foreignAsync = new Map<Fn, boolean>();
  /** Names whose values `nameMayWait` is looking at (a name bound to a lambda that calls it). */
  private readonly namesInProgress = new Set<string>();
  /** What `nameMayWait` found, by name; forgotten when a function is found to wait. */
  private readonly nameWaits = new Map<string, boolean>();
  private readonly nameWaitsBySpan = new Map<Span, boolean>();
  /** Lambdas and other blocks' functions being looked at, each assumed not to wait meanwhile (`nameMayWait` keeps nothing then). */
  private provisional = 0;
  /** While top-level bindings are emitted: the current TypeScript name of a name bound again later. */
  readonly moduleAliases = new Map<string, string>();

  constructor(
    readonly app: CheckedApp,
    readonly owner: ModuleOwner,
    readonly file: TsFile,
    readonly types: TypeTable,
    private readonly fileIndex: ReadonlyMap<string, number>,
    /** Every name the program declares anywhere (hygiene.ts, `userNames`). */
    readonly reserved: ReadonlySet<string>,
  ) {
    this.names = app.names;
    for (const n of types.schemaNames.values()) this.moduleNames.add(n);
    for (const n of sharedNames(app)) this.moduleNames.add(n);
  }

  /** The lowering of this module's code (one, so temporaries and scopes are shared by every emitter of the module). */
  get lowerer(): Lowerer {
    return (this.lowering ??= new Lowerer(this));
  }

  /**
   * A module-level name for something the emitter introduces (`app`, `db`): the
   * base name unless the program declares it anywhere or it is taken here; then numbered.
   */
  fresh(base: string, moduleLevelOnly = false): string {
    const taken = (n: string) => this.moduleNames.has(n) || (!moduleLevelOnly && this.reserved.has(n));
    let name = base;
    for (let n = 2; taken(name); n++) name = `${base}${n}`;
    this.moduleNames.add(name);
    return name;
  }

  /**
   * Imports `name` from a runtime module and gives back the local name to write
   * (renamed when the program uses the name). A name the emitter writes only at
   * module level (MODULE_LEVEL_IMPORTS) needs to avoid only module-level names,
   * unless `inBodies` says this use is inside a function body; then it gets an
   * alias of its own if need be (`import { t, t as t2 }`).
   */
  runtime(module: string, name: string, inBodies = false): string {
    const moduleLevel = MODULE_LEVEL_IMPORTS.has(name) && !inBodies;
    const key = `${module}\0${name}\0${moduleLevel}`;
    let local = this.imported.get(key);
    if (local === undefined) {
      const other = this.imported.get(`${module}\0${name}\0${!moduleLevel}`);
      local = other !== undefined && (moduleLevel || !this.reserved.has(other)) ? other : this.fresh(name, moduleLevel);
      this.file.use(module, local === name ? name : `${name} as ${local}`);
      this.imported.set(key, local);
    }
    return local;
  }

  private get variants() {
    return this.types.variants;
  }

  get sharedModule(): string {
    return `./${this.app.stem}.shared.js`;
  }

  /** Imports a type from a runtime module (`import { type Schema }`); types live in their own namespace. */
  runtimeType(module: string, name: string): string {
    this.file.use(module, name, true);
    return name;
  }

  /** Imports `name` from the runtime's stdlib and gives back the name to write. */
  stdlib(name: string): string {
    return this.runtime(RUNTIME.stdlib, name);
  }

  /**
   * The schema expression of a written type at module level (`UserSchema`, `t.array(t.int)`), importing the
   * builders only when the expression uses them.
   */
  schemaFor(type: TypeExpr | null): string {
    const placeholder = "\u0000t";
    const text = schemaOf(type, this.types, this.useSchema, placeholder);
    return text.includes(placeholder) ? text.split(placeholder).join(this.schemaBuilder()) : text;
  }

  /** The schema builders (`t.int`, `t.record(...)`), under their hygienic name (`inBodies` for uses inside functions). */
  schemaBuilder(inBodies = false): string {
    return this.runtime(RUNTIME.schema, "t", inBodies);
  }

  /** Records that a type name is used, importing it when it is declared in the shared block. */
  readonly useType = (name: string): void => {
    if (name === "Result") {
      this.file.use(RUNTIME.stdlib, "Result", true);
      return;
    }
    if (name === "UploadedFile") {
      this.file.use(RUNTIME.server, "UploadedFile", true);
      return;
    }
    if (this.owner.kind === "shared") return;
    if (this.app.shared.types.some((t) => t.name === name)) this.file.use(this.sharedModule, name, true);
  };

  /** Imports a schema constant of a shared type. */
  readonly useSchema = (name: string): void => {
    if (this.owner.kind === "shared") return;
    for (const [type, schema] of this.types.schemaNames) {
      if (schema === name && this.app.shared.types.some((t) => t.name === type)) this.file.use(this.sharedModule, name);
    }
  };

  isUnitVariant(name: string): boolean {
    const v = this.variants.get(name);
    return !!v && isUnitEnum(v.decl);
  }

  variantFields(name: string): string[] {
    return this.variants.get(name)?.fields ?? [];
  }

  /** Items in the order the source has them: files in the application's order, then position. */
  sourceOrder<T extends { span: { file: string; start: number } }>(items: readonly T[]): T[] {
    const at = (x: T) => this.fileIndex.get(x.span.file) ?? 0;
    return items
      .map((item, i) => ({ item, i }))
      .sort((a, b) => at(a.item) - at(b.item) || a.item.span.start - b.item.span.start || a.i - b.i)
      .map((x) => x.item);
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
        if (name === "server" && this.owner.kind === "client") return this.rpcObject;
        if (SERVER_FUNCTIONS.has(name)) return this.runtime(RUNTIME.server, name);
        if (name === "delete_all") return this.runtime(RUNTIME.db, name);
        if (STDLIB_NAMES.has(name)) return this.stdlib(name);
        return name;
      case "fn":
        if (sym.owner === undefined && this.owner.kind !== "shared" && this.app.shared.fns.some((f) => f.name === name)) this.file.use(this.sharedModule, safeName(name));
        return safeName(name);
      case "block-binding":
      case "var":
        if (this.moduleAliases.has(name)) return this.moduleAliases.get(name)!;
        if (sym.owner === undefined && this.owner.kind !== "shared" && this.app.shared.bindings.some((b) => b.name === name)) {
          this.file.use(this.sharedModule, safeName(name));
        }
        return safeName(name);
      case "variant": {
        const v = this.variants.get(name);
        if (v && isUnitEnum(v.decl)) return JSON.stringify(name);
        if (this.owner.kind !== "shared" && this.app.shared.types.some((t) => t.def.kind === "enum" && t.def.variants.some((x) => x.name === name))) {
          this.file.use(this.sharedModule, safeName(name));
        }
        return safeName(name);
      }
      case "state":
      case "computed":
        return `${safeName(name)}.value`;
      case "import": {
        const imp = this.app.shared.imports.find((i) => i.defaultName === name || i.names.some((n) => (n.alias ?? n.name) === name));
        if (imp) {
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
        return safeName(name);
    }
  }

  /** The client's RPC object, which `server.f()` calls (emit-client.ts declares it). */
  get rpcObject(): string {
    return (this.rpcName ??= this.fresh("server"));
  }
  private rpcName: string | null = null;

  /** The type Tova's checker inferred for an expression (ir/typing/), if it checked it. */
  typeOf(e: ast.Expr): Ty | undefined {
    return this.app.types.exprs.get(e);
  }

  /** `object[index]`: a map lookup sees only the map's own keys (decisions.md, "Maps"). */
  index(e: ast.IndexExpr, object: string, index: string): string {
    if (this.isMapLike(e.object, e.index)) return `${this.stdlib("mapGet")}(${object}, ${index})`;
    return `${object}[${index}]`;
  }

  /** Whether `object[index]` reads a map: a `{String: T}`, or an object literal indexed by a computed key. */
  isMapLike(object: ast.Expr, index: ast.Expr | null): boolean {
    const t = this.typeOf(object);
    return t?.k === "map" || (t?.k === "object" && index !== null && index.kind !== "Str");
  }

  /**
   * Whether `a == b` may be JavaScript's `===`: one side is a value that cannot
   * be nil (a literal, or a number, text, Bool or unit variant by its type).
   */
  strictlyComparable(a: ast.Expr, b: ast.Expr): boolean {
    const known = (e: ast.Expr) => {
      if (e.kind === "Num" || e.kind === "Str" || e.kind === "Template" || e.kind === "Bool") return true;
      // A list element or a map entry is nil when it is missing, whatever its type says.
      if (e.kind === "Index" || (e.kind === "Member" && this.isMapLike(e.object, null))) return false;
      const t = this.typeOf(e);
      if (!t) return false;
      if (isDefinite(t)) return true;
      const decl = t.k === "named" ? this.types.decls.get(t.name) : undefined;
      return !!decl && isUnitEnum(decl);
    };
    return known(a) || known(b);
  }

  /** Whether interpolating `e` as JavaScript does already reads as Tova writes it: text, numbers, Bools. */
  showsItself(e: ast.Expr): boolean {
    const t = this.typeOf(e);
    return !!t && (t.k === "string" || t.k === "int" || t.k === "float" || t.k === "bool");
  }

  /**
   * An interpolated value inside a template literal: as it is, or with its
   * schema when `fmt` alone cannot tell how Tova writes it (`Some(1)`, a record).
   */
  interpolate(e: ast.Expr, value: string): string {
    return this.formatSchema(e) ? this.shown(e, value) : value;
  }

  /**
   * `show(value)`, with the schema of its type when the value alone cannot
   * tell (an Option's `Some`, a record's type name, an enum's variant).
   */
  shown(e: ast.Expr, value: string): string {
    const schema = this.formatSchema(e);
    return `${this.stdlib("show")}(${value}${schema ? `, ${schema}` : ""})`;
  }

  /** A print argument: as is when printing shows it right, through `show` when its type must be told. */
  printed(e: ast.Expr, value: string): string {
    return this.formatSchema(e) ? this.shown(e, value) : value;
  }

  /** The schema `show` needs to format the value of `e` the way Tova writes it, or null when the value tells itself. */
  formatSchema(e: ast.Expr): string | null {
    const t = this.typeOf(e);
    return t && needsSchema(t) ? this.schemaOfTy(t) : null;
  }

  /** The runtime schema of an inferred type (for formatting). */
  schemaOfTy(t: Ty): string {
    const b = this.schemaBuilder(true);
    const of = (x: Ty): string => {
      switch (x.k) {
        case "int": return `${b}.int`;
        case "float": return `${b}.float`;
        case "string": return `${b}.string`;
        case "bool": return `${b}.bool`;
        case "array": return `${b}.array(${of(x.el)})`;
        case "map": return `${b}.map(${of(x.value)})`;
        case "option": return `${b}.option(${of(x.inner)})`;
        case "result": return `${b}.result(${of(x.ok)}, ${of(x.err)})`;
        case "named": {
          const name = this.types.schemaNames.get(x.name);
          const decl = this.types.decls.get(x.name);
          if (!name || !decl || decl.typeParams.length || decl.def.kind === "alias") return `${b}.any`;
          this.useSchema(name);
          return name;
        }
        default: return `${b}.any`;
      }
    };
    return of(t);
  }

  /** The TypeScript type of an inferred type. */
  tsOf(t: Ty | undefined): string {
    if (!t) return "any";
    switch (t.k) {
      case "int": case "float": return "number";
      case "string": return "string";
      case "bool": return "boolean";
      case "nil": return "null";
      case "any": case "stream": case "fn": case "object": return "any";
      case "never": return "never";
      case "param": return t.name;
      case "array": { const el = this.tsOf(t.el); return /[|& ]/.test(el) ? `(${el})[]` : `${el}[]`; }
      case "map": return `Record<string, ${this.tsOf(t.value)}>`;
      case "option": { const inner = this.tsOf(t.inner); return inner === "any" ? "any" : `${inner} | null`; }
      case "result": this.useType("Result"); return `Result<${this.tsOf(t.ok)}, ${this.tsOf(t.err)}>`;
      case "promise": return `Promise<${this.tsOf(t.inner)}>`;
      case "named": {
        if (!this.types.decls.has(t.name) && !this.types.models.has(t.name)) return "any";
        this.useType(t.name);
        return t.args.length ? `${t.name}<${t.args.map((a) => this.tsOf(a)).join(", ")}>` : t.name;
      }
    }
  }

  /**
   * Arithmetic on dynamic values stored in a field declared otherwise (`timestamp: Date.now() - 48.hours` in
   * a `String` field, as monitoring-service.md does): dynamic for Tova, a number for TypeScript, so it is
   * written `as any`. With `record` null, says whether the value is such arithmetic at all.
   */
  numberIntoOther(value: ast.Expr, record: string | null, field: string): boolean {
    const arithmetic = (value.kind === "Binary" && ["-", "*", "/", "%", "**"].includes(value.op)) || (value.kind === "Unary" && value.op === "-");
    if (!arithmetic || this.typeOf(value)?.k !== "any") return false;
    if (record === null) return true;
    const declared = this.types.decls.get(record);
    const f = declared?.def.kind === "record" ? declared.def.fields.find((x) => x.name === field) : this.types.models.get(record)?.find((x) => x.name === field);
    const t = f?.type;
    return !(t && t.kind === "TName" && (t.name === "Int" || t.name === "Float" || t.name === "Any"));
  }

  /** Whether Tova's type of `e` is dynamic somewhere inside (so TypeScript must not infer more). */
  dynamicPart(e: ast.Expr): boolean {
    const t = this.typeOf(e);
    return !!t && containsAny(t);
  }

  /** The TypeScript type of a temporary that holds the value of `e`. */
  valueType(e: ast.Expr): string {
    return this.tsOf(this.typeOf(e));
  }

  /**
   * The annotation a binding of `e` needs, or "" when TypeScript infers the
   * type Tova did: `[]` and `nil` say nothing, a map literal would be read as
   * an object with those fields, and a value Tova found dynamic must stay so.
   */
  bindingType(e: ast.Expr, bound?: Ty, mutable = false): string {
    const t = bound ?? this.typeOf(e);
    // A `var` holds later values of its type, which TypeScript would narrow to this first one's
    // (`Stack { items: [] }` as `{ items: never[] }`, a unit variant as its one string).
    if (mutable && t && t.k !== "int" && t.k !== "float" && t.k !== "string" && t.k !== "bool" && t.k !== "never") return `: ${this.tsOf(t)}`;
    // `mode = "dev"` is a String to Tova; TypeScript would give the constant the type `"dev"` (`-1`, `"a" | "b"` for
    // an `if` of literals), and then reject `mode == "prod"` as a comparison that can never be true.
    if (!mutable && t && isDefinite(t) && literalTyped(e)) return `: ${this.tsOf(t)}`;
    if (e.kind === "Array" && e.elements.length === 0) return `: ${t?.k === "array" ? this.tsOf(t) : "any[]"}`;
    if (e.kind === "Nil" || (e.kind === "Ident" && e.name === "None")) return ": any";
    if (!t) return "";
    if (t.k === "map") return `: ${this.tsOf(t)}`;
    if (t.k === "any" && LITERAL_LIKE.has(e.kind)) return ": any";
    if (t.k === "object" && e.kind === "Object" && e.entries.length === 0) return ": any";
    return "";
  }

  /** The result type to write for a function without a declared one: `any` when Tova found it dynamic. */
  inferredReturn(node: object): string | null {
    const t = this.app.types.returns.get(node);
    return t && t.k === "any" ? "any" : null;
  }

  /** Whether an expression awaits: an `await`, or a call answered asynchronously (not inside nested lambdas). */
  awaits(e: ast.Expr): boolean {
    let found = false;
    const visit = (x: ast.Expr): void => {
      if (found) return;
      if (x.kind === "Await" || (x.kind === "Call" && this.isAsyncCall(x)) || (x.kind === "Block" && x.stmts.some((s) => this.forAwait(s)))) {
        found = true;
        return;
      }
      if (x.kind === "Lambda") return; // a lambda is async on its own account
      forEachChild(x, visit);
    };
    visit(e);
    return found;
  }

  /** `for batch in stream(...)`: a stream gives its batches asynchronously (`for await`). */
  forAwait(s: ast.Stmt): boolean {
    return s.kind === "For" && this.typeOf(s.iterable)?.k === "stream";
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

  /**
   * Calls answered asynchronously are awaited: peer functions, `server.f()`,
   * a model's functions (both engines answer with a promise, runtime/db),
   * `delete_all(rows)`, local async functions, and a collection function
   * given a callback that waits (it becomes its awaiting variant).
   */
  isAsyncCall(call: ast.CallExpr): boolean {
    const c = call.callee;
    if (c.kind === "Member" && c.object.kind === "Ident") {
      const sym = this.names.symbols.get(c.object);
      if (sym?.kind === "peer" || sym?.kind === "model") return true;
      if (sym?.kind === "builtin" && sym.name === "server" && this.owner.kind === "client") return true;
      return false;
    }
    if (this.typeOf(call)?.k === "promise") return true; // `sleep(...)`, `each` over a stream
    if (c.kind === "Ident") {
      const sym = this.names.symbols.get(c);
      if (sym?.kind === "builtin") return c.name === "delete_all" || this.awaitingVariant(call) !== null;
      if (sym?.kind === "fn") return this.fnWaits(sym);
      if (sym?.span && (sym.kind === "local" || sym.kind === "var" || sym.kind === "block-binding")) return this.nameMayWait(sym.span);
    }
    return false;
  }

  /**
   * Whether the function a name holds may wait: one of the values bound to it
   * does (lambda-bindings.ts), or, for a parameter of one of the program's
   * functions, one of the values its calls pass (`fn twice(f, x) { f(x) + f(x) }`
   * given `fn(n) len(Note.all())`: `twice` awaits `f`, which changes nothing
   * for a function that answers at once). A function that reaches a name some
   * other way (returned by a call, read from a field or a list) is not followed.
   */
  private nameMayWait(declared: Span): boolean {
    // Every use of a name shares its declaration's span object: looked up before a key is made (escapes.ts asks per use).
    const seen = this.nameWaitsBySpan.get(declared);
    if (seen !== undefined) return seen;
    const key = spanKey(declared);
    if (this.namesInProgress.has(key)) return false; // `var f = ...; f = fn() f()`: the other values decide
    const known = this.nameWaits.get(key);
    if (known !== undefined) return known;
    // No name, lambda or other block's function being looked at was assumed not to wait on the way here.
    const outermost = this.namesInProgress.size === 0 && this.provisional === 0;
    this.namesInProgress.add(key);
    try {
      const result = this.nameMayWaitNow(key);
      // Kept only when no enclosing name was assumed not to wait on the way (a cycle).
      if (outermost) {
        this.nameWaits.set(key, result);
        this.nameWaitsBySpan.set(declared, result);
      }
      return result;
    } finally {
      this.namesInProgress.delete(key);
    }
  }

  /** `nameMayWait` without the memo: the values bound to the name, or what calls pass its parameter. */
  private nameMayWaitNow(key: string): boolean {
    const values = boundValues(this.app).get(key);
    if (values !== undefined) return values.some((v) => this.valueMayWait(v));
    const { params, calls } = paramsAndCalls(this.app);
    const param = params.get(key);
    if (param === undefined) return false;
    if (param.default !== null && this.valueMayWait(param.default)) return true;
    // Named arguments are one trailing object by now (ir/desugar.ts): the places are positions.
    return (calls.get(param.fn) ?? []).some((call) => {
      const given = call.args[param.index];
      return given !== undefined && this.valueMayWait(given.value);
    });
  }

  /** Whether calling this value (bound to a name or passed to a parameter) may wait. */
  private valueMayWait(v: ast.Expr): boolean {
    switch (v.kind) {
      case "Lambda":
        return this.asyncLambda(v);
      case "Ident": {
        const sym = this.names.symbols.get(v);
        if (sym?.kind === "fn") return this.fnWaits(sym);
        return sym?.span !== undefined && (sym.kind === "local" || sym.kind === "var" || sym.kind === "block-binding") && this.nameMayWait(sym.span);
      }
      case "Member": {
        // `NoteModel.all`, `inventory.reserve`: a model's or a peer's function answers asynchronously.
        const sym = v.object.kind === "Ident" ? this.names.symbols.get(v.object) : undefined;
        return sym?.kind === "model" || sym?.kind === "peer";
      }
      case "If":
        return v.branches.some((b) => this.valueMayWait(b.body)) || (v.otherwise !== null && this.valueMayWait(v.otherwise));
      case "Match":
        return v.arms.some((a) => this.valueMayWait(a.body));
      case "Block": {
        const last = v.stmts[v.stmts.length - 1];
        return last !== undefined && last.kind === "ExprStmt" && this.valueMayWait(last.expr);
      }
      case "Try":
        return this.valueMayWait(v.body) || (v.catchBody !== null && v.catchBody !== undefined && this.valueMayWait(v.catchBody));
      default:
        return false;
    }
  }

  /**
   * Whether a function of the program waits. This module's functions and the
   * shared ones are in `asyncFns`; a function of a server block this module is
   * not (a lambda of that server's code passed to a shared function, judged
   * here for the shared function's parameter) is looked at where it is.
   */
  private fnWaits(sym: SymbolRef): boolean {
    if (this.asyncFns.has(sym.name)) return true;
    const server = sym.owner === undefined ? undefined : this.app.servers.find((s) => s.name === sym.owner);
    if (server === undefined || (this.owner.kind === "server" && this.owner.server?.name === server.name)) return false;
    const f = server.fns.find((x) => x.name === sym.name);
    if (f === undefined) return false;
    return this.settle(this.foreignAsync, f, () => f.async || this.awaits(f.body));
  }

  /**
   * `wait()` for `key`, from `memo` when known. While it runs, `key` counts as
   * not waiting (a function or lambda that reaches itself). Its answer is kept
   * only when nothing enclosing was assumed meanwhile; otherwise it is asked
   * again next time.
   */
  private settle<K>(memo: Map<K, boolean>, key: K, wait: () => boolean): boolean {
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false);
    const settled = this.provisional === 0 && this.namesInProgress.size === 0;
    this.provisional++;
    let result: boolean;
    try {
      result = wait();
    } finally {
      this.provisional--;
    }
    if (settled) memo.set(key, result);
    else memo.delete(key);
    return result;
  }

  /**
   * Why calling this value (not calling it here: keeping it) waits, in a few
   * words, or null when it answers at once or is not a function (escapes.ts).
   */
  waitingValue(e: ast.Expr): string | null {
    const generic = "it reads the database, calls another server, or calls a function that does";
    switch (e.kind) {
      case "Lambda":
        return this.asyncLambda(e) ? generic : null;
      case "Ident": {
        const sym = this.names.symbols.get(e);
        if (sym?.kind === "fn") return this.fnWaits(sym) ? generic : null;
        if (sym?.span && (sym.kind === "local" || sym.kind === "var" || sym.kind === "block-binding")) return this.nameMayWait(sym.span) ? generic : null;
        return null;
      }
      case "Member": {
        const sym = e.object.kind === "Ident" ? this.names.symbols.get(e.object) : undefined;
        if (sym?.kind === "model") return `\`${e.object.kind === "Ident" ? e.object.name : ""}.${e.name}\` reads the database`;
        if (sym?.kind === "peer") return `\`${e.object.kind === "Ident" ? e.object.name : ""}.${e.name}\` calls another server`;
        return null;
      }
      default:
        return null;
    }
  }

  /**
   * Where a function that waits, given to this call, goes, or null when the
   * call follows its arguments: awaits it where it calls it. The stdlib's functions (their awaiting
   * variants), the program's own functions (their parameters, `nameMayWait`),
   * a model's or another server's, and a package's (which may well await it;
   * Tova cannot see inside) are. A function held in a name, a method of a
   * list or an object (`xs.map(...)`), JavaScript's statics (`Array.from`),
   * none of which waits, and a constructor, which keeps it, are not.
   */
  unfollowedArguments(call: ast.CallExpr): string | null {
    const c = call.callee;
    const sym = c.kind === "Ident" ? this.names.symbols.get(c) : c.kind === "Member" && c.object.kind === "Ident" ? this.names.symbols.get(c.object) : undefined;
    if (c.kind === "Ident") {
      if (sym?.kind === "type" || sym?.kind === "variant") return "it is kept in a record"; // `Job("n", f)`
      if (sym?.kind === "builtin" && (c.name === "Some" || c.name === "Ok" || c.name === "Err")) return "it is kept in an Option or a Result";
      if (sym?.kind === "builtin" || sym?.kind === "fn" || sym?.kind === "import") return null;
    } else if (c.kind === "Member" && (sym?.kind === "model" || sym?.kind === "peer" || sym?.kind === "import")) return null;
    return "it is given to a function that calls it without waiting (a function held in a name, or JavaScript's)";
  }

  /** Whether a lambda is async: it says so or it awaits (a lambda that reaches itself through names counts as not). */
  private asyncLambda(lambda: ast.LambdaExpr): boolean {
    return this.settle(this.lambdaAsync, lambda, () => lambda.async || this.awaits(lambda.body));
  }

  /**
   * `map(xs, fn(x) Note.find(x))`: a collection function of the stdlib given a
   * callback that waits (a lambda that awaits, or an async function) is called
   * through its awaiting variant (runtime/stdlib/awaiting.ts) and awaited, so
   * it gives rows, not promises. The name to import, or null.
   */
  awaitingVariant(call: ast.CallExpr): string | null {
    const c = call.callee;
    if (c.kind !== "Ident" || !AWAITING.has(c.name) || this.names.symbols.get(c)?.kind !== "builtin") return null;
    // A lambda, a function, a name holding one, `inventory.reserve`: whatever waits.
    const waits = call.args.some(({ value: a }) => this.waitingValue(a) !== null);
    if (!waits) return null;
    return c.name === "each" ? "each" : `${c.name}Async`;
  }

  /** Which of these functions are async: they await, or call one that is (to a fixed point). */
  inferAsync(fns: Fn[]): void {
    for (const f of fns) if (f.async) this.asyncFns.add(f.name);
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of fns) {
        if (this.asyncFns.has(f.name)) continue;
        if (this.awaits(f.body)) {
          this.asyncFns.add(f.name);
          this.lambdaAsync.clear(); // a lambda found not to wait may call this function
          this.foreignAsync.clear();
          this.nameWaits.clear();
          this.nameWaitsBySpan.clear();
          changed = true;
        }
      }
    }
  }

  /** The schema constant of a declared type (`UserSchema`), named against the program's names. */
  schemaName(type: string): string {
    return this.types.schemaNames.get(type) ?? `${type}Schema`;
  }
}

/** Expressions TypeScript gives a literal type when bound to a constant: literals, `-1`, and `if`s and matches of them. */
function literalTyped(e: ast.Expr): boolean {
  switch (e.kind) {
    case "Str": case "Template": case "Num": case "Bool": return true;
    case "Unary": return literalTyped(e.operand);
    case "If": case "Match": return true;
    default: return false;
  }
}
