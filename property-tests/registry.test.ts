import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { claimPorts, emptyRegistry, FIRST_PORT, parseRegistry, renderRegistry, withApp, withoutApp, type Registry } from "../backends/deploy/registry.js";

/**
 * Ports in a server's registry.json (deploy-blocks.md, section 5), over any
 * sequence of deploys (an app with some number of ports) and removals:
 *
 * 1. two apps never hold the same port;
 * 2. an app redeployed with the ports it has keeps them exactly, and one that
 *    needs more keeps its old ports first;
 * 3. every port is at or above the server's first port;
 * 4. the registry survives being written and read back;
 * 5. a new app reuses ports freed by a removed one before going higher.
 */
type Op = { kind: "deploy"; app: string; count: number } | { kind: "remove"; app: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deploy" as const), app: fc.constantFrom("blog", "shop", "api", "docs", "chat"), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), app: fc.constantFrom("blog", "shop", "api", "docs", "chat") }) },
);

function deploy(r: Registry, app: string, count: number): Registry {
  const ports = claimPorts(r, app, count);
  return withApp(r, app, { ports, domain: `${app}.example.com`, instances: count, version: "v1" });
}

describe("registry ports", () => {
  it("are distinct across apps, stable across redeploys, never below the first port, and round-trip", () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1024, max: 60_000 }), { nil: undefined }), fc.array(opArb, { maxLength: 30 }), (first, ops) => {
        let r: Registry = first === undefined ? emptyRegistry() : { ...emptyRegistry(), next_port: first, first_port: first };
        for (const op of ops) {
          const before = r.apps[op.app]?.ports;
          if (op.kind === "remove") {
            r = withoutApp(r, op.app);
            expect(r.apps[op.app]).toBeUndefined();
            continue;
          }
          r = deploy(r, op.app, op.count);
          const after = r.apps[op.app]!.ports;
          expect(after).toHaveLength(op.count);
          if (before) {
            const kept = Math.min(before.length, op.count);
            expect(after.slice(0, kept)).toEqual(before.slice(0, kept));
          }
          // Redeploying with nothing changed claims nothing new.
          expect(claimPorts(r, op.app, op.count)).toEqual(after);

          const all = Object.values(r.apps).flatMap((a) => a.ports);
          expect(new Set(all).size).toBe(all.length);
          for (const p of all) expect(p).toBeGreaterThanOrEqual(first ?? FIRST_PORT);
          expect(r.next_port).toBeGreaterThan(Math.max(...all));
          expect(parseRegistry(renderRegistry(r))).toEqual(r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a new app takes the lowest free ports, including ones a removed app gave back", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 6 }), fc.nat(), (counts, pick) => {
        let r = emptyRegistry();
        counts.forEach((c, i) => (r = deploy(r, `app${i}`, c)));
        const gone = `app${pick % counts.length}`;
        const freed = r.apps[gone]!.ports;
        r = withoutApp(r, gone);
        r = deploy(r, "newcomer", freed.length);
        expect(r.apps["newcomer"]!.ports).toEqual(freed);
      }),
      { numRuns: 200 },
    );
  });

  it("parseRegistry rejects what it cannot trust and reads an empty file as an empty registry", () => {
    expect(parseRegistry("")).toEqual(emptyRegistry());
    expect(() => parseRegistry("{}")).toThrow(/no "apps" object/);
    expect(() => parseRegistry('{"apps":{"x":{"ports":["3000"]}}}')).toThrow(/ports of "x"/);
    expect(() => parseRegistry('{"apps":{},"first_port":70000}')).toThrow(/first_port/);
    // A next_port behind the ports in use (an edited file) is moved past them.
    expect(parseRegistry('{"apps":{"x":{"ports":[3005],"domain":"x","instances":1,"version":"v1"}},"next_port":3000}').next_port).toBe(3006);
  });
});
