/**
 * The programs of the hygiene property (hygiene.test.ts; issue 9, "What must
 * show"; decisions.md "Semantics programs rely on" → "Names"): every name in
 * one role, many at once, each in a scope where the emitter writes its own
 * names (runtime imports, temporaries, schema constants, the app object).
 *
 * A program is a list of lines, each owned by the case (name × block × role)
 * that wrote it, so a diagnostic's line says which case broke; a server's
 * `check()` lists one value per case, so a wrong answer says it too.
 */

import ts from "typescript";

export type Block = "shared" | "server" | "client";
export type Role =
  | "parameter" | "local binding" | "var" | "loop variable" | "index loop variable" | "lambda parameter" | "local function"
  | "top-level loop variable" | "top-level index loop variable"
  | "top-level binding" | "top-level var" | "top-level function" | "state" | "computed" | "component parameter";

export interface Case {
  name: string;
  block: Block;
  role: Role;
  /**
   * "full": the case runs `workload` in the scope of its name; "light": only
   * reads it (`N + k`). hygiene.test.ts gives the full workload to every name
   * the emitter writes for the workload (read from its output), where a
   * collision can happen, and the light one to the others.
   */
  workload: "full" | "light";
}

export const caseLabel = (c: Case): string => `\`${c.name}\` as ${c.block} ${c.role}`;

/** Roles of a name inside a function body (the same in shared, server and client blocks). */
export const LOCAL_ROLES: readonly Role[] = ["parameter", "local binding", "var", "loop variable", "index loop variable", "lambda parameter", "local function"];
/** Roles of a name in a loop among a block's top-level statements: it is not visible outside the loop either. */
export const TOP_LOOP_ROLES: readonly Role[] = ["top-level loop variable", "top-level index loop variable"];

/**
 * Names the helpers need (`Ok`, `Err`): a top-level shared binding of one of
 * them hides it in every block, so programs that declare them at the top of
 * the shared scope get helpers written without them (vocabulary 2).
 */
export const HELPER_NAMES = ["Ok", "Err"] as const;

/**
 * Helpers and types every program has (their names start with `h_`/`H`, never
 * a tested name). Options need no name (a value or `nil` where an Option is
 * expected); Results are built with Ok/Err (`vocabulary` 1) or with `ok_or`
 * on a map read (2).
 */
function helpers(vocabulary: 1 | 2): string[] {
  const common = [
    "  type HNote { id: Int, text: String, tag: String }",
    "  type HShape { HCircle(r: Int), HSquare(w: Int) }",
    "  fn h_any(x: Any) -> Any { x }",
    "  fn h_shape(k: Int) -> HShape { if k > 1 { HCircle(k) } else { HSquare(k) } }",
    "  fn h_flag(k: Int) -> Bool { k > 0 }",
    "  fn h_add(a: Int, b: Int) -> Int { a + b }",
    "  fn h_seven() -> Int { 7 }",
    '  fn h_label(x: Int) -> String { "n{x}" }',
    "  fn h_apply(n: HNote, f) -> Any { f(n) }",
    "  fn h_some(k: Int) -> Option<Int> { k }",
    "  fn h_nothing(k: Int) -> Option<Int> { nil }",
    "  fn h_double(k: Int) -> Int { k * 2 }",
    "  hb = h_seven()", // bound twice at the top: the first one gets a generated name (hb_1)
    "  hb = hb + 1",
  ];
  if (vocabulary === 1) {
    return [
      ...common,
      '  fn h_parse(k: Int) -> Result<Int, String> { if k > 0 { Ok(k * 2) } else { Err("not positive") } }',
      "  fn h_wrap(xs: [Any]) -> Result<[Any], String> { Ok(xs) }",
    ];
  }
  return [
    ...common,
    "  fn h_parse(k: Int) -> Result<Int, String> {",
    "    var hm: {String: Int} = {}",
    '    if k > 0 { hm["v"] = k * 2 }',
    '    ok_or(hm["v"], "not positive")',
    "  }",
    "  fn h_wrap(xs: [Any]) -> Result<[Any], String> {",
    "    var hm: {String: [Any]} = {}",
    '    hm["v"] = xs',
    '    ok_or(hm["v"], "none")',
    "  }",
  ];
}

/**
 * The body every case runs in the scope of its name: each construct that makes
 * the emitter write a name of its own, with `v` (an Int expression reading the
 * tested name, 7) and the parameter `k` (3). Its value is the list `list`,
 * EXPECTED below. Kept short: every case runs it (hygiene.test.ts, time budget).
 */
function workload(v: string, indent: string, kind: Case["workload"], topLevel = false): { stmts: string[]; list: string } {
  if (kind === "light") return { stmts: [], list: `[${v} + k]` };
  // Among top-level statements `!` has no function to return from: the same values without it.
  if (topLevel) {
    const w = workload(v, indent, kind);
    const plain = (x: string) => x.replace(/h_parse\((\w+)\)!/g, "h_double($1)").replace("[h_parse(k)][0]!", "[h_double(k)][0]");
    return { stmts: w.stmts.map(plain), list: plain(w.list) };
  }
  const stmts = [
    "var m: {String: Int} = {}",
    `m["a"] = ${v} + k`, // a map written (mapSet) and read (mapGet)
    'var acc = m["a"] ?? 0',
    "for i, x in [10, 20] { acc += i * x }", // entries
    "for j in 2..=4 { acc += j }", // range
    "x = k",
    "if k > 0 { x = x + 1; acc += x }", // x shadowed: a renamed binding (x2)
    `s = "v={${v}} o={h_some(${v})}"`, // fmt, show of an Option with its schema (t.option(t.int))
    `q = h_flag(k) and h_parse(k)! > 0 and h_any(${v}) == h_any(7)`, // a `test` temporary, a `<name>Result`, isFailure, unwrap, eq
    "z = h_nothing(k) ?? h_add(h_add(1, 2), h_parse(k)!)", // `value` and `arg` temporaries
    "c = 1 < h_add(k, 0) < h_parse(k)!", // `operand` temporaries
    `g = match [${v}, k] { [a, b] if h_parse(a)! > b => a - b, _ => 0 }`, // isArray, a `subject`, a labelled block, matchFailed
    'ln = h_apply(HNote { id: 1, text: "abc", tag: "t" }, .text)', // an implicit lambda's parameter
  ];
  return { stmts: stmts.map((s) => indent + s), list: "[acc, s, q, z, c, g, ln, [h_parse(k)][0]!]" } // `!` on an index: a `result` temporary;
}

/**
 * What the workload returns for v = 7, k = 3, by language.md and decisions.md:
 * acc = (7 + 3) + (0·10 + 1·20) + (2 + 3 + 4) + (3 + 1);
 * an Option interpolates as `Some(7)` (decisions.md, "Strings"; issue 9);
 * 3 > 0, 6 > 0, 7 == 7; None ?? 1 + 2 + 6; 1 < 3 < 6; [7, 3] with 14 > 3
 * → 7 − 3; the record's text through `.text`; [Ok(6)][0]!.
 */
export const EXPECTED: readonly unknown[] = [43, "v=7 o=Some(7)", true, 9, true, 4, "abc", 6];
/** The light workload: 7 + 3. */
export const EXPECTED_LIGHT: readonly unknown[] = [10];
export const expectedOf = (c: Case): readonly unknown[] => (c.workload === "full" ? EXPECTED : EXPECTED_LIGHT);

const RESULT = "Result<[Any], String>";

/** One line per statement, each owned by a case (or by nobody: the program's frame). */
class Lines {
  readonly text: string[] = [];
  readonly owners: (Case | undefined)[] = [];
  add(owner: Case | undefined, ...lines: string[]): void {
    for (const l of lines) for (const part of l.split("\n")) {
      this.text.push(part);
      this.owners.push(owner);
    }
  }
}

/** A function whose body runs the workload with `c.name` in role `c.role`; called as `fnName(3)` (or `c.name(3)`). */
function roleFunction(c: Case, fnName: string, indent: string): { lines: string[]; call: string } {
  const N = c.name;
  const i2 = indent + "  ";
  const i3 = i2 + "  ";
  const head = `${indent}fn ${fnName}(k: Int) -> ${RESULT} {`;
  const end = `${indent}}`;
  const simple = (before: string[], v: string) => {
    const w = workload(v, i2, c.workload);
    return [head, ...before.map((b) => i2 + b), ...w.stmts, `${i2}h_wrap(${w.list})`, end];
  };
  const inLoop = (loop: string, v: string) => {
    const w = workload(v, i3, c.workload);
    return [head, `${i2}var out: [Any] = []`, `${i2}${loop} {`, ...w.stmts, `${i3}out = ${w.list}`, `${i2}}`, `${i2}h_wrap(out)`, end];
  };
  switch (c.role) {
    case "parameter": {
      const w = workload(N, i2, c.workload);
      return { lines: [`${indent}fn ${fnName}(${N}: Int, k: Int) -> ${RESULT} {`, ...w.stmts, `${i2}h_wrap(${w.list})`, end], call: `${fnName}(7, 3)` };
    }
    case "local binding":
      return { lines: simple([`${N} = h_seven()`], N), call: `${fnName}(3)` };
    case "var":
      return { lines: simple([`var ${N} = 5`, `${N} += 2`], N), call: `${fnName}(3)` };
    case "loop variable":
      return { lines: inLoop(`for ${N} in [7]`, N), call: `${fnName}(3)` };
    case "index loop variable":
      return { lines: inLoop(`for ${N}, e in [6]`, `(${N} + e + 1)`), call: `${fnName}(3)` };
    case "lambda parameter": {
      const w = workload(N, i3, c.workload);
      const lines = [head, `${i2}f = fn(${N}: Int) {`, ...w.stmts, `${i3}h_wrap(${w.list})`, `${i2}}`, `${i2}f(7)`, end];
      return { lines, call: `${fnName}(3)` };
    }
    case "local function":
      return { lines: simple([`fn ${N}(y: Int) -> Int { y }`], `${N}(7)`), call: `${fnName}(3)` };
    case "top-level binding":
    case "computed":
      return { lines: simple([], N), call: `${fnName}(3)` };
    case "top-level var":
    case "state":
      return { lines: simple([`${N} = ${N} + 0`], N), call: `${fnName}(3)` };
    case "top-level function": {
      const w = workload("h_seven()", i2, c.workload);
      return { lines: [`${indent}fn ${N}(k: Int) -> ${RESULT} {`, ...w.stmts, `${i2}h_wrap(${w.list})`, end], call: `${N}(3)` };
    }
    case "component parameter":
    case "top-level loop variable":
    case "top-level index loop variable":
      throw new Error(`${c.role}: written by clientProgram or topLoop`);
  }
}

export interface ServerCheck {
  /** The server block's name (null: the default server). */
  server: string | null;
  /** The cases `check()` lists, in order; after them come EXTRA_CHECKS. */
  cases: Case[];
}

export interface Program {
  source: string;
  /** The case that wrote a line (1-based), if any. */
  owner(line: number): Case | undefined;
  /** Servers to run and what their `check()` lists; empty for compile-only programs. */
  checks: ServerCheck[];
}

/**
 * After the cases, `check()` lists: the peer's answer (`discover`), the
 * model's count after one `create`, a record passed to a function, and an
 * `env` value's default (loadEnv).
 */
export const EXTRA_EXPECTED: readonly unknown[] = [4, 1, "a", 2];

/** Identifiers the programs declare themselves: never a tested name (hygiene.test.ts checks). */
export const OWN_NAMES = [
  "m", "acc", "i", "x", "j", "s", "q", "z", "c", "g", "ln", "a", "r", "k", "y", "e", "f", "out", "note", "n", "hr", "hm", "hb", "xs",
  "check", "hpeer", "HLEVEL", "HNote", "HShape", "HCircle", "HSquare", "HNoteModel", "App",
];

/** A server block running the given role functions, with a model, a peer, a route and `check()`. */
function serverBlock(out: Lines, name: string | null, fns: { c: Case; lines: string[]; call: string }[], calls: { c: Case; call: string }[], before: { c: Case; line: string }[] = []): void {
  out.add(undefined, name === null ? "server {" : `server "${name}" {`, `  db { path: "${name ?? "default"}.db" }`, "  model HNote", '  discover "hpeer" at "http://localhost:3999"', "  env HLEVEL: Int = 2");
  for (const b of before) out.add(b.c, b.line);
  for (const f of fns) out.add(f.c, ...f.lines);
  out.add(undefined, "  fn h_note_text(n: HNote) -> String { n.text }", `  fn check() -> ${RESULT} {`, '    note = HNoteModel.create({ text: "a", tag: "b" })', "    h_wrap([");
  for (const x of calls) out.add(x.c, `      ${x.call}!,`);
  out.add(undefined, "      hpeer.h_ping(3),", "      HNoteModel.count(),", "      h_note_text(note),", "      HLEVEL", "    ])", "  }", '  route GET "/check" => check', "}");
}

const PEER = ['server "hpeer" {', "  fn h_ping(k: Int) -> Int { k + 1 }", "}"];

function finish(out: Lines, checks: ServerCheck[]): Program {
  return { source: out.text.join("\n") + "\n", owner: (line) => out.owners[line - 1], checks };
}

const fnId = (prefix: string, i: number) => `${prefix}_${i}`;

/**
 * A loop among a block's top-level statements with the workload in its body;
 * its values are kept in a `var` that `check()` reads.
 */
function topLoop(c: Case, i: number, indent: string): { lines: string[]; call: string } {
  const i2 = indent + "  ";
  const kept = `hl_${i}`;
  const [loop, v] = c.role === "top-level loop variable" ? [`for ${c.name} in [7]`, c.name] : [`for ${c.name}, e in [6]`, `(${c.name} + e + 1)`];
  const w = workload(v, i2, c.workload, true);
  return { lines: [`${indent}var ${kept}: [Any] = []`, `${indent}${loop} {`, `${i2}k = 3`, ...w.stmts, `${i2}${kept} = ${w.list}`, `${indent}}`], call: `h_wrap(${kept})` };
}

/** Names in function bodies and top-level loops of the shared block (called by the server's check) or of the default server. */
export function localsProgram(cases: readonly Case[], block: "shared" | "server"): Program {
  const out = new Lines();
  const prefix = block === "shared" ? "ws" : "wv";
  const fns = cases.map((c, i) => ({ c, ...(TOP_LOOP_ROLES.includes(c.role) ? topLoop(c, i, "  ") : roleFunction(c, fnId(prefix, i), "  ")) }));
  out.add(undefined, "shared {", ...helpers(1));
  if (block === "shared") for (const f of fns) out.add(f.c, ...f.lines);
  out.add(undefined, "}");
  serverBlock(out, null, block === "server" ? fns : [], fns);
  out.add(undefined, ...PEER);
  return finish(out, [{ server: null, cases: [...cases] }]);
}

/**
 * Names at the top of the shared scope (visible in every block): bindings,
 * vars or functions, with the functions that use them in the shared block.
 * Cases naming a helper's own names need the other vocabulary (HELPER_NAMES).
 */
export function sharedTopProgram(cases: readonly Case[], vocabulary: 1 | 2): Program {
  const out = new Lines();
  out.add(undefined, "shared {", ...helpers(vocabulary));
  const calls: { c: Case; call: string }[] = [];
  cases.forEach((c, i) => {
    if (c.role === "top-level binding") out.add(c, `  ${c.name} = h_seven()`);
    if (c.role === "top-level var") out.add(c, `  var ${c.name} = h_seven()`);
    const f = roleFunction(c, fnId("wt", i), "  ");
    out.add(c, ...f.lines);
    calls.push({ c, call: f.call });
  });
  out.add(undefined, "}");
  serverBlock(out, null, [], calls);
  out.add(undefined, ...PEER);
  return finish(out, [{ server: null, cases: [...cases] }]);
}

/** Names at the top of a server block: bindings in server "sb", vars in "sv", functions in "sf". */
export function serverTopProgram(cases: readonly Case[]): Program {
  const out = new Lines();
  out.add(undefined, "shared {", ...helpers(1), "}");
  const checks: ServerCheck[] = [];
  const servers: [string, Role][] = [["sb", "top-level binding"], ["sv", "top-level var"], ["sf", "top-level function"]];
  for (const [server, role] of servers) {
    const mine = cases.filter((c) => c.role === role);
    if (!mine.length) continue;
    const fns = mine.map((c, i) => ({ c, ...roleFunction(c, fnId("wt", i), "  ") }));
    const before = mine.flatMap((c) => (role === "top-level binding" ? [{ c, line: `  ${c.name} = h_seven()` }] : role === "top-level var" ? [{ c, line: `  var ${c.name} = h_seven()` }] : []));
    serverBlock(out, server, fns, fns, before);
    checks.push({ server, cases: mine });
  }
  out.add(undefined, ...PEER);
  return finish(out, checks);
}

/**
 * Client blocks (compile and type-check only: the browser runtime is another
 * issue): names as states ("cs"), computeds ("cc"), functions ("cf"),
 * component parameters ("cp") and in function bodies ("cl"). Where the block
 * does not declare `server`, an effect (after the cases) calls the server
 * through it.
 * `spread`: every case in a block (a module) of its own, so that a syntax
 * error TypeScript finds in one cannot run on into the next.
 */
export function clientProgram(cases: readonly Case[], spread = false): Program {
  const out = new Lines();
  out.add(undefined, "shared {", ...helpers(1), "}", "server {", "  fn h_ping(k: Int) -> Int { k + 1 }", "}");
  const kinds: [string, (c: Case) => boolean][] = [
    ["cs", (c) => c.role === "state"],
    ["cc", (c) => c.role === "computed"],
    ["cf", (c) => c.role === "top-level function"],
    ["cp", (c) => c.role === "component parameter"],
    ["cl", (c) => LOCAL_ROLES.includes(c.role)],
  ];
  for (const [kind, pick] of kinds) {
    const mine = cases.filter((c) => c.block === "client" && pick(c));
    const blocks = spread ? mine.map((c, i) => [`${kind}${i}`, [c]] as const) : mine.length ? [[kind, mine] as const] : [];
    for (const [block, inBlock] of blocks) clientBlock(out, block, kind, inBlock);
  }
  return finish(out, []);
}

function clientBlock(out: Lines, block: string, kind: string, cases: readonly Case[]): void {
  out.add(undefined, `client "${block}" {`);
  if (kind === "cp") {
    cases.forEach((c, i) => out.add(c, `  component HC${i}(${c.name}: Int) {`, `    <p class={"c{${c.name}}"}>{${c.name}} {"o={h_some(${c.name})}"} {h_label(${c.name})}</p>`, "  }"));
    out.add(undefined, "  component App {", "    <div>");
    cases.forEach((c, i) => out.add(c, `      <HC${i} ${c.name}={7} />`));
    out.add(undefined, "    </div>", "  }");
  } else {
    cases.forEach((c, i) => {
      if (c.role === "state") out.add(c, `  state ${c.name} = h_seven()`);
      if (c.role === "computed") out.add(c, `  computed ${c.name} = h_seven() + 0`);
      out.add(c, ...roleFunction(c, fnId("wc", i), "  ").lines);
    });
  }
  const declaresServer = kind !== "cp" && kind !== "cl" && cases.some((c) => c.name === "server");
  if (!declaresServer) out.add(undefined, "  effect {", "    hr = server.h_ping(1)", "  }");
  out.add(undefined, "}");
}

// ---------------------------------------------------------------------------
// The names under test that come from the emitter itself are read from what it
// writes, so the list cannot go stale (hygiene.test.ts asserts it still holds
// the ones known to be used).

/** Value names the runtime's modules export, from their declarations (`dist/runtime/*.d.ts`). */
export function runtimeExports(declarations: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const text of declarations) {
    for (const m of text.matchAll(/^export declare (?:async )?(?:function|const|let|var|class|enum) ([A-Za-z_$][\w$]*)/gm)) names.add(m[1]!);
    for (const m of text.matchAll(/^export \{([^}]*)\}/gm)) {
      for (const spec of m[1]!.split(",")) {
        const parts = spec.trim().split(/\s+/);
        if (parts[0] === "type" || !parts[0]) continue;
        names.add(parts[parts.length - 1]!);
      }
    }
  }
  return names;
}

/** The runtime names an emitted module imports (`import { a, b as b2 } from "./runtime/x.js"`: a, b). */
export function importedRuntimeNames(code: string): Set<string> {
  const names = new Set<string>();
  const file = ts.createSourceFile("m.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const s of file.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || !s.moduleSpecifier.text.startsWith("./runtime/")) continue;
    const bindings = s.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const spec of bindings.elements) if (!spec.isTypeOnly && !s.importClause!.isTypeOnly) names.add((spec.propertyName ?? spec.name).text);
  }
  return names;
}

/**
 * Names an emitted module declares (constants, functions, parameters, labels,
 * import aliases) or reads as globals, that the Tova source never writes: the
 * emitter's own names (`app`, `db`, `subject`, `pResult`, `HNoteSchema`, `x2`, ...).
 */
export function emitterNames(code: string, tovaSource: string): Set<string> {
  const tova = new Set(tovaSource.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  const file = ts.createSourceFile("m.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const read = new Set<string>();
  const bindingNames = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) declared.add(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isVariableDeclaration(node) || ts.isParameter(node)) bindingNames(node.name);
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) declared.add(node.name.text);
    if (ts.isLabeledStatement(node)) declared.add(node.label.text);
    if (ts.isImportSpecifier(node)) declared.add(node.name.text);
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        (ts.isPropertyAssignment(p) && p.name === node) ||
        ((ts.isBreakStatement(p) || ts.isContinueStatement(p)) && p.label === node) ||
        ts.isImportSpecifier(p) || ts.isLabeledStatement(p) || ts.isMetaProperty(p);
      if (!isName) read.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const out = new Set<string>();
  for (const n of declared) if (!tova.has(n)) out.add(n);
  for (const n of read) if (!tova.has(n) && !declared.has(n)) out.add(n);
  return out;
}
