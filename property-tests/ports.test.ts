import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { analyze } from "../ir/pipeline.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { blockNameArb, filePathArb, sortPaths, tovaString } from "./arbitraries.js";

/**
 * Port assignment (decisions.md "Ports", named-blocks.md "Port Assignment"),
 * checked against a reference model written from the spec:
 *
 * 1. a block with an explicit port (`port N` or `env PORT: Int = N`) keeps it;
 * 2. the others are numbered in order of first appearance (files in sorted
 *    path order), the unnamed server first at the base port, named ones after
 *    it; numbers claimed explicitly are skipped;
 * 3. the port variable is `PORT` (unnamed) or `PORT_<NAME>`: upper case,
 *    non-alphanumerics to `_`.
 *
 * Applications are generated as Tova source text spread over several files,
 * with a block possibly appearing more than once (blocks with the same name
 * merge), and run through the whole `analyze` pipeline.
 */

interface Block {
  /** null: the unnamed `server { }`. */
  name: string | null;
  explicit: number | null;
  /** `port N` or `env PORT: Int = N`. */
  envSyntax: boolean;
  /** Where each occurrence goes: a file index and a sort key within that file. */
  occurrences: { file: number; key: number }[];
  /** Which occurrence carries the explicit port. */
  portIn: number;
}

interface Scenario {
  files: string[];
  blocks: Block[];
  basePort: number;
}

const MAX_BLOCKS = 7;

function scenarioArb(opts: { explicitPorts: fc.Arbitrary<number>; distinctPorts: boolean; basePort: fc.Arbitrary<number> }): fc.Arbitrary<Scenario> {
  return fc
    .record({
      names: fc.uniqueArray(blockNameArb, { maxLength: MAX_BLOCKS }),
      unnamed: fc.boolean(),
      files: fc.uniqueArray(filePathArb, { minLength: 1, maxLength: 3 }),
      basePort: opts.basePort,
    })
    .filter((r) => r.names.length > 0 || r.unnamed)
    .chain(({ names, unnamed, files, basePort }) => {
      const blockNames: (string | null)[] = unnamed ? [null, ...names] : [...names];
      const n = blockNames.length;
      const ports = opts.distinctPorts
        ? fc.uniqueArray(opts.explicitPorts, { minLength: n, maxLength: n })
        : fc.array(opts.explicitPorts, { minLength: n, maxLength: n });
      const perBlock = fc.record({
        hasPort: fc.boolean(),
        envSyntax: fc.boolean(),
        occurrences: fc.array(fc.record({ file: fc.nat(files.length - 1), key: fc.nat(1000) }), { minLength: 1, maxLength: 2 }),
        portIn: fc.nat(1),
      });
      return fc.tuple(ports, fc.array(perBlock, { minLength: n, maxLength: n })).map(([ps, bs]): Scenario => ({
        files,
        basePort,
        blocks: bs.map((b, i) => ({
          name: blockNames[i]!,
          explicit: b.hasPort ? ps[i]! : null,
          envSyntax: b.envSyntax,
          occurrences: b.occurrences,
          portIn: Math.min(b.portIn, b.occurrences.length - 1),
        })),
      }));
    });
}

/** Source text per file; returns also the order in which the blocks first appear. */
function render(sc: Scenario): { sources: { path: string; text: string }[]; firstAppearance: number[] } {
  const perFile: { block: number; occ: number; key: number }[][] = sc.files.map(() => []);
  sc.blocks.forEach((b, block) => b.occurrences.forEach((o, occ) => perFile[o.file]!.push({ block, occ, key: o.key })));
  const sources = sc.files.map((path, fi) => {
    const occs = perFile[fi]!.sort((a, b) => a.key - b.key);
    const text = occs
      .map(({ block, occ }) => {
        const b = sc.blocks[block]!;
        const head = b.name === null ? "server {" : `server ${tovaString(b.name)} {`;
        const lines = [head];
        if (b.explicit !== null && occ === b.portIn) lines.push(b.envSyntax ? `  env PORT: Int = ${b.explicit}` : `  port ${b.explicit}`);
        lines.push(`  fn f_${block}_${occ}() { ${block} }`, "}");
        return lines.join("\n");
      })
      .join("\n\n");
    return { path, text: text + "\n" };
  });
  const firstAppearance: number[] = [];
  for (const path of sortPaths(sc.files)) {
    const fi = sc.files.indexOf(path);
    for (const o of perFile[fi]!) if (!firstAppearance.includes(o.block)) firstAppearance.push(o.block);
  }
  return { sources, firstAppearance };
}

/** The reference model of rule 1 and 2: the expected port of each block (by index). */
function expectedPorts(sc: Scenario, firstAppearance: number[]): Map<number, number> {
  const explicit = new Set(sc.blocks.flatMap((b) => (b.explicit === null ? [] : [b.explicit])));
  const order = [...firstAppearance.filter((i) => sc.blocks[i]!.name === null), ...firstAppearance.filter((i) => sc.blocks[i]!.name !== null)];
  const out = new Map<number, number>();
  let next = sc.basePort;
  for (const i of order) {
    const e = sc.blocks[i]!.explicit;
    if (e !== null) {
      out.set(i, e);
      continue;
    }
    while (explicit.has(next)) next++;
    out.set(i, next++);
  }
  return out;
}

/** Rule 3, per character (code point): upper case, every character outside [A-Z0-9] becomes `_`. */
function expectedPortEnv(name: string | null): string {
  if (name === null) return "PORT";
  return "PORT_" + Array.from(name.toUpperCase(), (ch) => (/^[A-Z0-9]$/.test(ch) ? ch : "_")).join("");
}

function run(sc: Scenario) {
  const { sources, firstAppearance } = render(sc);
  const { app, diagnostics } = analyze(sources, { stem: "app", basePort: sc.basePort });
  return { sources, firstAppearance, app, diagnostics };
}

function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.code} ${d.span.file}@${d.span.start}: ${d.message}`).join("\n");
}

describe("assign-ports", () => {
  it("explicit ports are kept; the others follow the reference model; all ports distinct", () => {
    fc.assert(
      fc.property(
        scenarioArb({ explicitPorts: fc.integer({ min: 1024, max: 65535 }), distinctPorts: true, basePort: fc.integer({ min: 1024, max: 65535 - 2 * (MAX_BLOCKS + 1) }) }),
        (sc) => {
          const { firstAppearance, app, diagnostics } = run(sc);
          // Every block survives, under its own (decoded) name; same-named blocks merged into one.
          expect(app.servers.map((s) => s.name).sort()).toEqual(sc.blocks.map((b) => b.name).sort());
          expect(codes(diagnostics).filter((c) => c !== "E0310"), show(diagnostics)).toEqual([]);
          const want = expectedPorts(sc, firstAppearance);
          const got = app.servers.map((s) => s.port);
          expect(new Set(got).size).toBe(got.length);
          for (const [i, b] of sc.blocks.entries()) {
            const server = app.servers.find((s) => s.name === b.name)!;
            if (b.explicit !== null) expect(server.port).toBe(b.explicit);
            if (b.name === null && b.explicit === null) {
              // The unnamed server: the base port, or the first number after it not claimed explicitly.
              let p = sc.basePort;
              while (sc.blocks.some((x) => x.explicit === p)) p++;
              expect(server.port).toBe(p);
            }
            expect(server.port, `block ${JSON.stringify(b.name)}`).toBe(want.get(i));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("non-explicit blocks get increasing ports in order of first appearance, the unnamed one first", () => {
    fc.assert(
      fc.property(
        scenarioArb({ explicitPorts: fc.integer({ min: 3000, max: 3012 }), distinctPorts: true, basePort: fc.integer({ min: 2995, max: 3005 }) }),
        (sc) => {
          const { firstAppearance, app } = run(sc);
          const auto = [...firstAppearance.filter((i) => sc.blocks[i]!.name === null), ...firstAppearance.filter((i) => sc.blocks[i]!.name !== null)].filter(
            (i) => sc.blocks[i]!.explicit === null,
          );
          const ports = auto.map((i) => app.servers.find((s) => s.name === sc.blocks[i]!.name)!.port);
          for (let k = 1; k < ports.length; k++) expect(ports[k]!).toBeGreaterThan(ports[k - 1]!);
          if (ports.length) expect(ports[0]!).toBeGreaterThanOrEqual(sc.basePort);
          const explicit = new Set(sc.blocks.map((b) => b.explicit));
          for (const p of ports) expect(explicit.has(p)).toBe(false);
          // No gaps other than the explicit ones.
          const used = new Set(ports);
          for (let p = sc.basePort; p <= (ports[ports.length - 1] ?? sc.basePort - 1); p++) expect(used.has(p) || explicit.has(p), `port ${p} skipped`).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the port variable is PORT / PORT_<NAME> (upper case, non-alphanumerics to _); E0310 exactly when two names map to one variable", () => {
    fc.assert(
      fc.property(
        scenarioArb({ explicitPorts: fc.integer({ min: 1024, max: 65535 }), distinctPorts: true, basePort: fc.integer({ min: 1024, max: 60000 }) }),
        (sc) => {
          const { app, diagnostics } = run(sc);
          for (const s of app.servers) {
            expect(s.portEnv).toMatch(/^PORT(_[A-Z0-9_]+)?$/);
            expect(s.portEnv, `name ${JSON.stringify(s.name)}`).toBe(expectedPortEnv(s.name));
          }
          const want = sc.blocks.map((b) => expectedPortEnv(b.name));
          const collisions = want.length - new Set(want).size;
          expect(codes(diagnostics).filter((c) => c === "E0310").length, show(diagnostics)).toBe(collisions);
        },
      ),
      { numRuns: 300 },
    );
  });

  // The spec says "non-alphanumerics to `_`": one `_` per character, and an emoji is one
  // character (one code point), not two UTF-16 halves.
  it("a character outside the BMP (emoji) becomes one `_` in PORT_<NAME>, not one per UTF-16 half", () => {
    const astralName = fc
      .tuple(fc.string({ unit: fc.constantFrom("a", "B", "1", "-", "é"), maxLength: 3 }), fc.constantFrom("😀", "🚀", "𝔘", "𠀀"), fc.string({ unit: fc.constantFrom("a", "B", "1", "-"), maxLength: 3 }))
      .map(([a, b, c]) => a + b + c);
    fc.assert(
      fc.property(astralName, (name) => {
        const { app } = analyze([{ path: "a.tova", text: `server ${tovaString(name)} {\n  fn f() { 1 }\n}\n` }], { stem: "a" });
        expect(app.servers[0]!.portEnv, `name ${JSON.stringify(name)}`).toBe(expectedPortEnv(name));
      }),
      { numRuns: 50 },
    );
  });

  it("E0301 exactly when blocks claim the same explicit port; automatic ports avoid every explicit one", () => {
    fc.assert(
      fc.property(
        scenarioArb({ explicitPorts: fc.integer({ min: 3000, max: 3004 }), distinctPorts: false, basePort: fc.integer({ min: 2998, max: 3003 }) }),
        (sc) => {
          const { app, diagnostics } = run(sc);
          const explicit = sc.blocks.flatMap((b) => (b.explicit === null ? [] : [b.explicit]));
          const clashes = explicit.length - new Set(explicit).size;
          expect(codes(diagnostics).filter((c) => c === "E0301").length, show(diagnostics)).toBe(clashes);
          for (const b of sc.blocks) {
            const s = app.servers.find((x) => x.name === b.name)!;
            if (b.explicit !== null) expect(s.port).toBe(b.explicit);
            else expect(explicit).not.toContain(s.port);
          }
          const auto = sc.blocks.filter((b) => b.explicit === null).map((b) => app.servers.find((x) => x.name === b.name)!.port);
          expect(new Set(auto).size).toBe(auto.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every assigned port is a valid port (1..65535), or an error is reported", () => {
    fc.assert(
      fc.property(
        scenarioArb({ explicitPorts: fc.integer({ min: 65500, max: 65535 }), distinctPorts: true, basePort: fc.integer({ min: 65500, max: 65535 }) }),
        (sc) => {
          const { app, diagnostics } = run(sc);
          const bad = app.servers.filter((s) => !(s.port >= 1 && s.port <= 65535));
          if (bad.length) expect(diagnostics.some((d) => d.severity === "error"), `ports ${bad.map((s) => `${s.name}:${s.port}`).join(", ")} with no error`).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a block with an empty or blank name is an error, or kept apart from the unnamed server", () => {
    fc.assert(
      fc.property(fc.constantFrom("", " ", "\t", "\n", "  ", "\u00a0"), fc.boolean(), fc.boolean(), (blank, blankFirst, withUnnamed) => {
        const blocks = [`server ${tovaString(blank)} {\n  fn from_blank() { 1 }\n}`];
        if (withUnnamed) blocks[blankFirst ? "push" : "unshift"](`server {\n  fn from_unnamed() { 2 }\n}`);
        const { app, diagnostics } = analyze([{ path: "a.tova", text: blocks.join("\n") + "\n" }], { stem: "a" });
        // Either way, the unnamed server never absorbs the blank-named block.
        const unnamed = app.servers.find((s) => s.name === null);
        if (withUnnamed) expect(unnamed?.fns.map((f) => f.name)).toEqual(["from_unnamed"]);
        else expect(unnamed).toBeUndefined();
        if (!diagnostics.some((d) => d.severity === "error")) {
          expect(app.servers.map((s) => s.name).sort()).toEqual(withUnnamed ? [null, blank].sort() : [blank]);
          const ports = app.servers.map((s) => s.port);
          expect(new Set(ports).size).toBe(ports.length);
        }
      }),
      { numRuns: 40 },
    );
  });
});
