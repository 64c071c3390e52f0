import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse } from "../frontend/parse.js";
import { lowerFile } from "../ir/lower.js";
import { mergeBlocks } from "../ir/passes/merge-blocks.js";
import { assignPorts } from "../ir/passes/assign-ports.js";
import type { App, FileIR } from "../ir/types.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { filePathArb, sortPaths } from "./arbitraries.js";

/**
 * Merging blocks across files (named-blocks.md "Named Blocks Across Files"):
 * blocks with the same kind and name merge, whatever order the files are
 * given in; a name defined twice in one merged block is an error (E0103)
 * that points at the first definition.
 */

const BLOCKS: (string | null)[] = [null, "api", "events", "worker"];

interface Decl {
  kind: "fn" | "type";
  name: string;
  /** Index into BLOCKS (fns only). */
  block: number;
  file: number;
  /** Order within the file. */
  key: number;
}

interface Scenario {
  files: string[];
  decls: Decl[];
  /** Explicit port per block (index into BLOCKS), declared in one file. */
  ports: { block: number; port: number; file: number }[];
}

const fnNameArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/).map((s) => `f_${s}`);
const typeNameArb = fc.stringMatching(/^[A-Z][a-zA-Z0-9]{0,6}$/).map((s) => `T${s}`);

function scenarioArb(minFiles: number): fc.Arbitrary<Scenario> {
  return fc
    .record({
      files: fc.uniqueArray(filePathArb, { minLength: minFiles, maxLength: 4 }),
      fns: fc.uniqueArray(fnNameArb, { minLength: 1, maxLength: 12 }),
      types: fc.uniqueArray(typeNameArb, { maxLength: 5 }),
      portBlocks: fc.uniqueArray(fc.nat(BLOCKS.length - 1), { maxLength: BLOCKS.length }),
      portValues: fc.uniqueArray(fc.integer({ min: 3000, max: 3010 }), { minLength: BLOCKS.length, maxLength: BLOCKS.length }),
    })
    .chain(({ files, fns, types, portBlocks, portValues }) => {
      const placement = fc.record({ block: fc.nat(BLOCKS.length - 1), file: fc.nat(files.length - 1), key: fc.nat(10_000) });
      return fc
        .tuple(
          fc.array(placement, { minLength: fns.length, maxLength: fns.length }),
          fc.array(placement, { minLength: types.length, maxLength: types.length }),
          fc.array(fc.nat(files.length - 1), { minLength: portBlocks.length, maxLength: portBlocks.length }),
        )
        .map(([fp, tp, pf]): Scenario => ({
          files,
          decls: [
            ...fns.map((name, i): Decl => ({ kind: "fn", name, ...fp[i]! })),
            ...types.map((name, i): Decl => ({ kind: "type", name, ...tp[i]! })),
          ],
          ports: portBlocks.map((block, i) => ({ block, port: portValues[i]!, file: pf[i]! })),
        }));
    });
}

/** One file's text: its declarations in key order, each in its own block occurrence. */
function renderFile(sc: Scenario, fi: number): string {
  const items: { key: number; text: string }[] = [];
  for (const d of sc.decls) {
    if (d.file !== fi) continue;
    if (d.kind === "type") items.push({ key: d.key, text: `shared {\n  type ${d.name} { a: Int }\n}` });
    else {
      const name = BLOCKS[d.block]!;
      items.push({ key: d.key, text: `${name === null ? "server" : `server "${name}"`} {\n  fn ${d.name}() { 1 }\n}` });
    }
  }
  for (const p of sc.ports) {
    if (p.file !== fi) continue;
    const name = BLOCKS[p.block]!;
    items.push({ key: -1, text: `${name === null ? "server" : `server "${name}"`} {\n  port ${p.port}\n}` });
  }
  items.sort((a, b) => a.key - b.key);
  return items.map((i) => i.text).join("\n\n") + "\n";
}

function lowerAll(sc: Scenario): { irs: FileIR[]; sources: Map<string, string> } {
  const sources = new Map<string, string>();
  const irs = sc.files.map((path, fi) => {
    const text = renderFile(sc, fi);
    sources.set(path, text);
    const parsed = parse(text, path);
    expect(parsed.diagnostics, `parse ${path}:\n${text}`).toEqual([]);
    const lowered = lowerFile(parsed.program);
    expect(lowered.diagnostics).toEqual([]);
    return lowered.ir;
  });
  return { irs, sources };
}

const spanKey = (s: { file: string; start: number; end: number }) => `${s.file}@${s.start}-${s.end}`;

/** Everything observable about a merge, in a form `toEqual` compares. */
function summary(app: App, diagnostics: readonly Diagnostic[]) {
  const ported = assignPorts(app, 3000);
  return {
    servers: ported.app.servers.map((s) => ({
      name: s.name,
      file: s.file,
      fns: s.fns.map((f) => `${f.name}@${spanKey(f.nameSpan)}`),
      sortedFns: s.fns.map((f) => f.name).sort(),
      explicitPorts: s.ports.map((p) => p.value),
      port: s.port,
      portEnv: s.portEnv,
    })),
    sharedTypes: app.shared.types.map((t) => t.name).sort(),
    diagnostics: [...diagnostics, ...ported.diagnostics].map((d) => ({
      code: d.code,
      message: d.message,
      span: spanKey(d.span),
      labels: d.labels.map((l) => `${spanKey(l.span)} ${l.message}`),
    })),
  };
}

/** The merged app presented as one file, as if it had been written that way. */
function asFileIR(app: App): FileIR {
  return {
    file: app.files[0] ?? "merged.tova",
    servers: app.servers,
    clients: app.clients,
    shared: app.shared,
    data: app.data,
    security: app.security ? [app.security] : [],
    deploys: [],
  };
}

function permutationArb<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

describe("merge-blocks", () => {
  it("the merged app does not depend on the order the files are given in, and holds exactly the declarations", () => {
    fc.assert(
      fc.property(
        scenarioArb(1).chain((sc) => fc.tuple(fc.constant(sc), permutationArb(sc.files.map((_, i) => i)))),
        ([sc, perm]) => {
          const { irs } = lowerAll(sc);
          const a = mergeBlocks(irs, "app");
          const b = mergeBlocks(perm.map((i) => irs[i]!), "app");
          expect(summary(b.app, b.diagnostics)).toEqual(summary(a.app, a.diagnostics));
          expect(a.app.files).toEqual(sortPaths(sc.files));
          expect(a.diagnostics).toEqual([]);
          // Reference: per block, the set of functions placed in it; every block mentioned exists once.
          const want = new Map<string | null, string[]>();
          for (const d of sc.decls) if (d.kind === "fn") want.set(BLOCKS[d.block]!, [...(want.get(BLOCKS[d.block]!) ?? []), d.name]);
          for (const p of sc.ports) if (!want.has(BLOCKS[p.block]!)) want.set(BLOCKS[p.block]!, []);
          const got = new Map(a.app.servers.map((s) => [s.name, s.fns.map((f) => f.name).sort()] as const));
          expect(a.app.servers.length).toBe(got.size);
          expect(got).toEqual(new Map([...want].map(([k, v]) => [k, v.sort()])));
          expect(a.app.shared.types.map((t) => t.name).sort()).toEqual(sc.decls.filter((d) => d.kind === "type").map((d) => d.name).sort());
          // Blocks are listed in order of first appearance, files in sorted path order.
          const order: (string | null)[] = [];
          for (const path of sortPaths(sc.files)) {
            const fi = sc.files.indexOf(path);
            const occ = [
              ...sc.ports.filter((p) => p.file === fi).map((p) => ({ key: -1, block: p.block })),
              ...sc.decls.filter((d) => d.kind === "fn" && d.file === fi).map((d) => ({ key: d.key, block: d.block })),
            ].sort((x, y) => x.key - y.key);
            for (const o of occ) if (!order.includes(BLOCKS[o.block]!)) order.push(BLOCKS[o.block]!);
          }
          expect(a.app.servers.map((s) => s.name)).toEqual(order);
          // Explicit ports are kept through the merge.
          const ported = assignPorts(a.app, 3000).app;
          for (const p of sc.ports) expect(ported.servers.find((s) => s.name === BLOCKS[p.block])!.port).toBe(p.port);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("merging is idempotent: re-merging the merged app as one file changes nothing", () => {
    fc.assert(
      fc.property(scenarioArb(1), (sc) => {
        const { irs } = lowerAll(sc);
        const once = mergeBlocks(irs, "app");
        const twice = mergeBlocks([asFileIR(once.app)], "app");
        expect(summary(twice.app, twice.diagnostics)).toEqual(summary(once.app, once.diagnostics));
        // Merging does not modify its inputs: merging the same FileIRs again gives the same result.
        const again = mergeBlocks(irs, "app");
        expect(summary(again.app, again.diagnostics)).toEqual(summary(once.app, once.diagnostics));
      }),
      { numRuns: 300 },
    );
  });

  it("k duplicate definitions across files give exactly k E0103, each labelled at the first definition", () => {
    const withDuplicates = scenarioArb(2).chain((sc) => {
      const fns = sc.decls.filter((d) => d.kind === "fn");
      const dup = fc.record({ fn: fc.nat(fns.length - 1), fileOffset: fc.integer({ min: 1, max: sc.files.length - 1 }), key: fc.nat(10_000) });
      return fc.tuple(
        fc.constant(sc),
        fc.array(dup, { minLength: 1, maxLength: 4 }),
        permutationArb(sc.files.map((_, i) => i)),
      );
    });
    fc.assert(
      fc.property(withDuplicates, ([base, dups, perm]) => {
        const fns = base.decls.filter((d) => d.kind === "fn");
        // Each duplicate: the same function again, same block, in a file other than its original one.
        const added: Decl[] = dups.map((d) => {
          const orig = fns[d.fn]!;
          return { ...orig, file: (orig.file + d.fileOffset) % base.files.length, key: d.key };
        });
        const sc: Scenario = { ...base, decls: [...base.decls, ...added] };
        const { irs, sources } = lowerAll(sc);
        const merged = mergeBlocks(perm.map((i) => irs[i]!), "app");
        const e0103 = merged.diagnostics.filter((d) => d.code === "E0103");
        expect(e0103.length, merged.diagnostics.map((d) => d.message).join("\n")).toBe(added.length);
        expect(merged.diagnostics.length).toBe(added.length);
        for (const d of e0103) {
          const name = /`([^`]+)`/.exec(d.message)?.[1];
          expect(name).toBeDefined();
          const defs = sc.decls.filter((x) => x.kind === "fn" && x.name === name);
          expect(defs.length).toBeGreaterThan(1);
          // The first definition: the first file in sorted path order that defines it, first in that file.
          const firstFile = sortPaths(defs.map((x) => sc.files[x.file]!))[0]!;
          expect(d.labels.length).toBe(1);
          const label = d.labels[0]!;
          expect(label.span.file).toBe(firstFile);
          expect(sources.get(label.span.file)!.slice(label.span.start, label.span.end)).toBe(name);
          const firstText = renderFile(sc, sc.files.indexOf(firstFile));
          // Within the first file, the label is at the earliest of its definitions.
          const occurrences = [...firstText.matchAll(new RegExp(`fn ${name}\\(`, "g"))].map((m) => m.index! + 3);
          expect(label.span.start).toBe(occurrences[0]);
          // The error itself points at a later definition, not the first one.
          expect(spanKey(d.span)).not.toBe(spanKey(label.span));
          expect(sources.get(d.span.file)!.slice(d.span.start, d.span.end)).toBe(name);
        }
        // One error per extra definition: every (file, offset) of a non-first definition is reported once.
        expect(new Set(e0103.map((d) => spanKey(d.span))).size).toBe(e0103.length);
      }),
      { numRuns: 300 },
    );
  });
});
