import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { CLIENT_BUILTINS, JS_GLOBALS, SERVER_BUILTINS, STDLIB } from "../ir/builtins.js";
import { KEYWORDS } from "../frontend/tokens.js";
import { compile } from "../compile.js";
import { RUNTIME_DIR } from "../cli/toolchain.js";
import { buildProgram, call, cleanDirs, start, type Running } from "../spec-tests/server/harness.js";
import * as P from "./hygiene-programs.js";

/**
 * The hygiene property of issue 9 ("What must show", third bullet;
 * decisions.md "Semantics programs rely on" → "Names"): a program may name a
 * binding, parameter, function, `var` or loop variable like any runtime name,
 * generated name, standard-library function or JavaScript global, in shared,
 * server and client blocks, and it compiles, type-checks (TypeScript 7, as
 * `tova build`) and runs. Every program also holds the constructs that make
 * the emitter write its own names (hygiene-programs.ts, `workload`), so they
 * meet the user's in the same scope.
 *
 * A name the emitter writes for these programs (read from its output:
 * runtime imports, temporaries, generated objects, and their numbered forms)
 * runs the whole workload in the scope of each of its roles; every other name
 * is bound and read there, but the emitter writes nothing it could collide
 * with (should it start to, its output shows it and the name gets the whole
 * workload). That keeps the file at about 60 CPU-seconds (some 30 s on two
 * idle cores) when everything passes. `TOVA_HYGIENE_FULL=1` gives every name the whole workload;
 * `TOVA_HYGIENE_NAMES=t,entries` runs only those names.
 *
 * All names of one role go into one program (a dozen programs in all, two
 * built at a time); a program that fails is narrowed down: a diagnostic's line
 * names its case, a wrong value in `check()` names its case, anything else is
 * bisected. A failure prints, grouped by cause, each broken name and role and
 * the compiler's diagnostics or the server's output for the first of them.
 */

/** TypeScript reserved words that are not Tova keywords (issue 9 brief); `safeName` turns them into `x_`, so `x_` is tested too. */
const TS_RESERVED = [
  "eval", "arguments", "new", "class", "delete", "switch", "case", "default", "this", "let", "const", "void", "typeof", "instanceof", "enum",
  "interface", "package", "private", "protected", "public", "static", "yield", "with", "super", "extends", "implements", "debugger",
  "undefined", "NaN", "Infinity",
];

/** Names the lowering gives temporaries and generated objects (backends/typescript/lower/, emit-server.ts); more are read from its output below. */
const GENERATED = ["app", "db", "server", "result", "value", "subject", "test", "operand", "arg", "match", "it"];

/** Runtime names generated code is known to import: the derived list must still hold them, or it has gone stale. */
const KNOWN_RUNTIME = ["createApp", "loadEnv", "model", "sqlite", "peer", "t", "isFailure", "unwrap", "isArray", "eq", "mapGet", "mapSet", "fmt", "show", "matchFailed", "entries", "range", "h", "signal", "mount", "rpcClient", "effect"];
/** Names the emitter is known to write for the probe programs (a `<name>Result`, a `<Type>Schema`, a renamed `x`, a rebound top-level `hb`). */
const KNOWN_EMITTED = ["app", "subject", "value", "test", "operand", "arg", "result", "it", "qResult", "hParseResult", "HNoteSchema", "x2", "hb_1"];

const BENIGN = "hx";
const SERVER_TOP_ROLES: P.Role[] = ["top-level binding", "top-level var", "top-level function"];

/**
 * The names of one family's cases. `local`: every tested name; `top`: those
 * and the `x_` forms of TypeScript's reserved words, which can only meet the
 * `x` they stand for where both are declared in one scope (the top level).
 */
interface NameSets {
  local: readonly string[];
  top: readonly string[];
}

interface Family {
  title: string;
  cases: (names: NameSets) => P.Case[];
  program: (cases: readonly P.Case[]) => P.Program;
  /** The same cases with each in a module of its own (suspects of a syntax error are tried this way), when the family can. */
  spread?: (cases: readonly P.Case[]) => P.Program;
}

const isHelperName = (n: string) => (P.HELPER_NAMES as readonly string[]).includes(n);
/** Names that get the full workload (deriveNames); every name with TOVA_HYGIENE_FULL=1. */
let fullWorkload: (name: string) => boolean = () => true;
const each = (names: readonly string[], block: P.Block, roles: readonly P.Role[]): P.Case[] =>
  names.flatMap((name) => roles.map((role) => ({ name, block, role, workload: fullWorkload(name) ? ("full" as const) : ("light" as const) })));

const sharedTop = (role: P.Role): Family[] => [
  { title: `shared ${role}s`, cases: (n) => each(n.top.filter((x) => !isHelperName(x)), "shared", [role]), program: (cases) => P.sharedTopProgram(cases, 1) },
  // A shared `Ok = ...` hides Ok in every block: these programs build their Results with `ok_or` instead.
  { title: `shared ${role}s named Ok and Err`, cases: (n) => each(n.top.filter(isHelperName), "shared", [role]), program: (cases) => P.sharedTopProgram(cases, 2) },
];

/** The biggest first: two run at a time (withSlot). */
const FAMILIES: Family[] = [
  { title: "names in shared function bodies and top-level loops", cases: (n) => each(n.local, "shared", [...P.LOCAL_ROLES, ...P.TOP_LOOP_ROLES]), program: (cases) => P.localsProgram(cases, "shared") },
  { title: "names in server function bodies and top-level loops", cases: (n) => each(n.local, "server", [...P.LOCAL_ROLES, ...P.TOP_LOOP_ROLES]), program: (cases) => P.localsProgram(cases, "server") },
  // Client blocks are compiled and type-checked only: running them needs the browser runtime (another issue).
  { title: "client states, computeds, functions and component parameters (compile and type-check)", cases: (n) => [...each(n.top, "client", ["state", "computed", "top-level function"]), ...each(n.local, "client", ["component parameter"])], program: (cases) => P.clientProgram(cases), spread: (cases) => P.clientProgram(cases, true) },
  // The emitter imports a runtime name when it first needs it: a local bound before that must not take the name. In a
  // module of its own each case's function is the first thing lowered. (Names it never writes cannot meet it there.)
  { title: "names the emitter writes, in client function bodies, each in a module of its own (compile and type-check)", cases: (n) => each(n.local.filter(fullWorkload), "client", P.LOCAL_ROLES), program: (cases) => P.clientProgram(cases, true) },
  { title: "server top-level bindings, vars and functions", cases: (n) => each(n.top, "server", SERVER_TOP_ROLES), program: P.serverTopProgram },
  ...sharedTop("top-level binding"),
  ...sharedTop("top-level var"),
  ...sharedTop("top-level function"),
];

// ---------------------------------------------------------------------------
// The names.

interface Names extends NameSets {
  skipped: string[];
  /** The names the emitter writes (imports, declares or reads) for the probe programs, and their numbered forms. */
  written: Set<string>;
  runtime: Set<string>;
  emitted: Set<string>;
}

/** Compiles every family's program with one harmless name and reads which names the emitter imports and writes. */
function deriveNames(): Names {
  const declared = P.runtimeExports(readdirSync(RUNTIME_DIR).filter((f) => f.endsWith(".d.ts")).map((f) => readFileSync(path.join(RUNTIME_DIR, f), "utf8")));
  const imported = new Set<string>();
  const emitted = new Set<string>();
  for (const family of FAMILIES) {
    const program = family.program(family.cases({ local: [BENIGN], top: [BENIGN] }));
    const result = compile([{ path: "app.tova", text: program.source }], { stem: "app", emit: ["ts"] });
    for (const m of result.modules) {
      for (const n of P.importedRuntimeNames(m.code)) imported.add(n);
      for (const n of P.emitterNames(m.code, program.source)) emitted.add(n);
    }
  }
  // Numbered temporaries beyond the second (arg3), and `<name>Result`s of this test's own functions (ws12Result) or of
  // the harmless name (hxResult), add nothing: qResult and hParseResult stand for the kind.
  const redundant = (n: string) => /^w[a-z]\d+Result\d*$/.test(n) || /\D([3-9]|\d\d+)$/.test(n) || n.includes(BENIGN);
  const fromEmitter = [...emitted].filter((n) => !redundant(n));
  // The emitter renames its own name on a collision by numbering it (`t2`, `app2`, `subject2`): those are tested too.
  const numbered = [...imported, ...fromEmitter, ...GENERATED].filter((n) => !/\d$|Result$/.test(n)).map((n) => `${n}2`);
  const all = new Set<string>([...STDLIB, ...JS_GLOBALS, ...SERVER_BUILTINS, ...CLIENT_BUILTINS, ...declared, ...imported, ...fromEmitter, ...GENERATED, ...TS_RESERVED, ...numbered]);
  // A Tova keyword cannot be declared at all (language.md, "Lexical rules"): `match` (the lowering's label for a match block) is one.
  const skipped = [...all].filter((n) => KEYWORDS.has(n));
  const local = [...all].filter((n) => !KEYWORDS.has(n)).sort();
  const top = [...local, ...TS_RESERVED.map((w) => `${w}_`).filter((n) => !all.has(n))];
  const written = new Set([...imported, ...emitted, ...GENERATED, ...numbered]);
  return { local, top, skipped, written, runtime: new Set([...declared, ...imported]), emitted };
}

// ---------------------------------------------------------------------------
// Building, running and narrowing down.

interface Failure {
  cases: P.Case[];
  stage: "build" | "start" | "answer";
  detail: string;
}

type Attempt = { ok: true } | { ok: false; stage: Failure["stage"]; detail: string; blamed: Map<P.Case, string>; suspects?: P.Case[] };

/** Diagnostics as rendered by the harness, one block each, with the `.tova` line they start at. */
function diagnosticBlocks(text: string): { line: number | null; text: string }[] {
  return text.split(/\n\n+/).map((block) => {
    const at = /app\.tova:(\d+):\d+/.exec(block);
    return { line: at ? Number(at[1]) : null, text: block.trim() };
  });
}

/**
 * The cases a failed build's diagnostics blame. TypeScript's syntax errors
 * (TS1xxx) run on into the lines after them, so in each module only the
 * first case with a syntax error is blamed for it; later ones are suspects,
 * tried again on their own.
 */
function blame(program: P.Program, detail: string): { blamed: Map<P.Case, string>; suspects: P.Case[] } {
  const found = new Map<P.Case, { text: string[]; semantic: boolean; modules: Set<string> }>();
  for (const b of diagnosticBlocks(detail)) {
    const owner = b.line === null ? undefined : program.owner(b.line);
    if (!owner) continue;
    const entry = found.get(owner) ?? { text: [], semantic: false, modules: new Set<string>() };
    found.set(owner, entry);
    entry.text.push(b.text);
    // The TypeScript error behind it: "TypeScript TS1005 in m.ts:3" (E0208) or "details: m.ts:3:1 TS1005 ..." (E0900).
    const ts = /TypeScript TS(\d+) in (\S+?):\d+|details: (\S+?):\d+:\d+ TS(\d+)/.exec(b.text);
    const code = ts?.[1] ?? ts?.[4];
    if (code?.startsWith("1")) entry.modules.add((ts![2] ?? ts![3])!);
    else entry.semantic = true;
  }
  const blamed = new Map<P.Case, string>();
  const suspects: P.Case[] = [];
  const seen = new Set<string>();
  for (const [c, e] of found) {
    if (e.semantic || [...e.modules].some((m) => !seen.has(m))) blamed.set(c, e.text.join("\n\n"));
    else suspects.push(c);
    e.modules.forEach((m) => seen.add(m));
  }
  return { blamed, suspects };
}

/** `call`, with a request that gets no answer (the server died) as status 0: reported with the server's output. */
const ask = (url: string, init?: Parameters<typeof call>[1]) =>
  call(url, init).catch((err: Error) => ({ status: 0, body: `no answer: ${err.message}` as unknown, headers: new Headers() }));

const portEnv = (server: string | null) => (server === null ? "PORT" : `PORT_${server.toUpperCase()}`);

async function attempt(program: P.Program): Promise<Attempt> {
  let built: Awaited<ReturnType<typeof buildProgram>>;
  try {
    built = await buildProgram(program.source);
  } catch (err) {
    const detail = err instanceof Error ? `${err.message}${/the program does not compile|does not type-check/.test(err.message) ? "" : `\n${err.stack ?? ""}`}` : String(err);
    return { ok: false, stage: "build", detail, ...blame(program, detail) };
  }
  if (!program.checks.length) return { ok: true };
  const running: Running[] = [];
  try {
    let peer: Running;
    try {
      peer = await start(built.file("server", "hpeer"), { portEnv: "PORT_HPEER" });
      running.push(peer);
    } catch (err) {
      return { ok: false, stage: "start", detail: `server "hpeer": ${(err as Error).message}`, blamed: new Map() };
    }
    for (const check of program.checks) {
      const label = check.server === null ? "the default server" : `server "${check.server}"`;
      let s: Running;
      try {
        s = await start(built.file("server", check.server), { portEnv: portEnv(check.server), env: { PORT_HPEER: String(peer.port) } });
        running.push(s);
      } catch (err) {
        return { ok: false, stage: "start", detail: `${label}: ${(err as Error).message}`, blamed: new Map() };
      }
      const fail = (detail: string): Attempt => ({ ok: false, stage: "answer", detail: `${label}: ${detail}\n--- server output ---\n${s.output()}`, blamed: new Map() });
      const res = await ask(`${s.url}/check`);
      const expectedLength = check.cases.length + P.EXTRA_EXPECTED.length;
      if (res.status !== 200 || !Array.isArray(res.body) || res.body.length !== expectedLength) {
        return fail(`GET /check answered ${res.status} ${JSON.stringify(res.body).slice(0, 2000)} (expected a list of ${expectedLength} values)`);
      }
      const blamed = new Map<P.Case, string>();
      check.cases.forEach((c, i) => {
        const expected = P.expectedOf(c);
        if (!isDeepStrictEqual(res.body[i], expected)) blamed.set(c, `${label}: check() gave ${JSON.stringify(res.body[i])}, expected ${JSON.stringify(expected)}`);
      });
      if (blamed.size) return { ok: false, stage: "answer", detail: "", blamed };
      const extras = res.body.slice(check.cases.length);
      if (!isDeepStrictEqual(extras, P.EXTRA_EXPECTED)) return fail(`check()'s last values (peer, model, record, env) are ${JSON.stringify(extras)}, expected ${JSON.stringify(P.EXTRA_EXPECTED)}`);
      // A record through the request boundary: its schema validates it (a `<Type>Schema`, `t`).
      const rpc = await ask(`${s.url}/rpc/h_note_text`, { json: { __args: [{ id: 1, text: "a", tag: "b" }] } });
      if (rpc.status !== 200 || !isDeepStrictEqual(rpc.body, { result: "a" })) return fail(`POST /rpc/h_note_text answered ${rpc.status} ${JSON.stringify(rpc.body)}`);
      // A server function is an RPC function under its Tova name (`/rpc/delete`, whatever its TypeScript name).
      const fns = check.cases.filter((c) => c.block === "server" && c.role === "top-level function");
      for (let i = 0; i < fns.length; i += 16) {
        await Promise.all(
          fns.slice(i, i + 16).map(async (c) => {
            const answer = await ask(`${s.url}/rpc/${c.name}`, { json: { __args: [3] } });
            const expected = { result: P.expectedOf(c) };
            if (answer.status !== 200 || !isDeepStrictEqual(answer.body, expected)) {
              blamed.set(c, `${label}: POST /rpc/${c.name} answered ${answer.status} ${JSON.stringify(answer.body)}, expected ${JSON.stringify(expected)}`);
            }
          }),
        );
      }
      if (blamed.size) return { ok: false, stage: "answer", detail: "", blamed };
    }
    return { ok: true };
  } finally {
    // Only this attempt's processes: other families run at the same time.
    await Promise.all(running.map((r) => r.stop()));
  }
}

/** At most this many builds to narrow one family down; what is left is reported as a group. */
const MAX_ATTEMPTS = 60;

/**
 * Runs a family's program; when it fails, removes the cases its diagnostics or
 * answers blame and runs the rest again, tries suspects on their own, and
 * bisects a failure nobody can be blamed for, until every failing case is found.
 */
async function failuresOf(family: Family, cases: P.Case[]): Promise<Failure[]> {
  const failures: Failure[] = [];
  const queue: { cases: P.Case[]; spread: boolean }[] = [{ cases, spread: false }];
  let attempts = 0;
  let frameChecked = false;
  while (queue.length) {
    const { cases: group, spread } = queue.shift()!;
    if (++attempts > MAX_ATTEMPTS) {
      failures.push({ cases: group, stage: "build", detail: `not narrowed down: ${MAX_ATTEMPTS} builds spent on this family` });
      continue;
    }
    const r = await attempt(spread ? family.spread!(group) : family.program(group));
    if (r.ok) continue;
    if (r.blamed.size) {
      for (const [c, detail] of r.blamed) failures.push({ cases: [c], stage: r.stage, detail });
      const suspects = r.suspects ?? [];
      if (suspects.length && family.spread) queue.push({ cases: suspects, spread: true });
      else for (const c of suspects) queue.push({ cases: [c], spread: false });
      const rest = group.filter((c) => !r.blamed.has(c) && !suspects.includes(c));
      if (rest.length) queue.push({ cases: rest, spread });
      continue;
    }
    if (!frameChecked) {
      // A failure nobody can be blamed for: first make sure the program itself (with a harmless name) works.
      frameChecked = true;
      const frame = await attempt(family.program(family.cases({ local: [BENIGN], top: [BENIGN] })));
      if (!frame.ok) return [{ cases: [], stage: frame.stage, detail: `the program fails with the harmless name \`${BENIGN}\` alone:\n${frame.detail}` }];
    }
    if (group.length === 1) failures.push({ cases: group, stage: r.stage, detail: r.detail });
    else queue.push({ cases: group.slice(0, group.length >> 1), spread }, { cases: group.slice(group.length >> 1), spread });
  }
  return failures;
}

/** What a failure's diagnostics say, without the names: failures with the same cause are reported together. */
function causeOf(f: Failure): string {
  const words = (m: string) => m.replace(/'[^']*'|`[^`]*`|"[^"]*"/g, "…");
  // An E0900 says which TypeScript error it stands for in its hint: that is the cause.
  const errors = [...f.detail.matchAll(/error\[(E\d+)\]: (.*)(?:\n(?!app\.tova:).*)*?details: \S+ (TS\d+ .*)\)|error\[(E\d+)\]: (.*)/g)].map((m) =>
    m[3] ? `${m[1]} ${words(m[3])}` : `${m[4]} ${words(m[5]!)}`,
  );
  // The first error: TypeScript's syntax errors are followed by others that only follow from it.
  if (errors.length) return `${f.stage}: ${errors[0]}`;
  if (/^[^\n]*: check\(\) gave /.test(f.detail)) return "answer: check() gave a wrong value";
  if (/^[^\n]*: POST \/rpc\/\S+ answered \d+/.test(f.detail)) return `answer: POST /rpc/<name> answered ${/answered (\d+)/.exec(f.detail)![1]}`;
  return `${f.stage}: ${words(f.detail.split("\n").find((l) => l.trim()) ?? "").replace(/\d+/g, "N")}`.slice(0, 300);
}

/** Failures grouped by cause: the names of each role, then the first one's diagnostics or server output in full. */
function report(family: Family, failures: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) groups.set(causeOf(f), [...(groups.get(causeOf(f)) ?? []), f]);
  const total = failures.reduce((n, f) => n + Math.max(1, f.cases.length), 0);
  const out = [`${family.title}: ${total} failing case(s), ${groups.size} cause(s)`];
  for (const [cause, fs] of groups) {
    const byRole = new Map<string, string[]>();
    for (const f of fs) for (const c of f.cases) byRole.set(`${c.block} ${c.role}`, [...(byRole.get(`${c.block} ${c.role}`) ?? []), c.name]);
    out.push(`\n✗ ${cause}`);
    for (const [role, names] of byRole) out.push(`  as ${role} (${names.length}): ${names.join(" ")}`);
    const first = fs[0]!;
    const who = first.cases.length === 0 ? "the program frame" : first.cases.length === 1 ? P.caseLabel(first.cases[0]!) : `${first.cases.length} cases together`;
    const detail = first.detail.length > 3000 ? `${first.detail.slice(0, 3000)}\n...` : first.detail;
    out.push(`  for example ${who}:\n${detail.replace(/^/gm, "    ")}`);
  }
  return out.join("\n");
}

/** Two families at a time: the builds spawn TypeScript and Bun, on 2 cores. */
let slots = 2;
const waiting: (() => void)[] = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  slots--;
  try {
    return await fn();
  } finally {
    slots++;
    waiting.shift()?.();
  }
}

// ---------------------------------------------------------------------------

let names: Names;
/** Names given by TOVA_HYGIENE_NAMES, or every name. */
let only: string[] | undefined;
const startedAt = Date.now();

beforeAll(() => {
  names = deriveNames();
  if (!process.env.TOVA_HYGIENE_FULL) fullWorkload = (n) => names.written.has(n);
  // `TOVA_HYGIENE_NAMES=t,entries` runs only those names, in every role (to rerun a failure quickly).
  only = process.env.TOVA_HYGIENE_NAMES?.split(",").map((n) => n.trim()).filter(Boolean);
});

afterAll(() => {
  cleanDirs();
  console.log(`hygiene property: ${only?.length || names?.top.length || 0} names, ${Math.round((Date.now() - startedAt) / 1000)} s`);
});

describe("hygiene: every name a program may use compiles, type-checks and runs in every role", () => {
  it.skipIf(!!process.env.TOVA_HYGIENE_NAMES)("the names under test hold every name the emitter and runtime are known to use", () => {
    for (const n of KNOWN_RUNTIME) expect(names.runtime, `runtime name ${n}`).toContain(n);
    for (const n of KNOWN_EMITTED) expect(names.emitted, `emitted name ${n}`).toContain(n);
    for (const n of [...STDLIB, ...JS_GLOBALS, ...SERVER_BUILTINS, ...CLIENT_BUILTINS, ...TS_RESERVED, ...KNOWN_RUNTIME, ...KNOWN_EMITTED]) {
      if (!KEYWORDS.has(n)) expect(names.local).toContain(n);
    }
    for (const w of TS_RESERVED) expect(names.top).toContain(`${w}_`);
    expect(names.skipped).toEqual(["match"]);
    // The programs' own identifiers never collide with a tested name by accident.
    expect(names.top.filter((n) => P.OWN_NAMES.includes(n) || /^(h_|HC\d|w[a-z]+_\d+$)/.test(n))).toEqual([]);
    const full = names.top.filter(fullWorkload);
    console.log(`hygiene property: ${names.top.length} names, ${full.length} with the full workload (skipped, Tova keywords: ${names.skipped.join(", ")}):\n${names.top.join(" ")}\nfull workload: ${full.join(" ")}`);
  });

  for (const family of FAMILIES) {
    it.concurrent(family.title, { timeout: 600_000 }, async () => {
      const cases = family.cases(only?.length ? { local: only, top: only } : names);
      if (!cases.length) return;
      const failures = await withSlot(async () => {
        const t0 = Date.now();
        const found = await failuresOf(family, cases);
        console.log(`hygiene: ${family.title}: ${cases.length} cases, ${found.length} failing, ${Math.round((Date.now() - t0) / 1000)} s`);
        return found;
      });
      if (failures.length) expect.fail(report(family, failures));
    });
  }
});
