import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../runtime/server/breaker.js";

/**
 * The circuit breaker against a model of named-blocks.md's table, for any
 * sequence of successes, failures and clock advances:
 *   CLOSED -> OPEN after `threshold` consecutive failures;
 *   OPEN answers at once, without a request, until `reset_timeout` passed;
 *   HALF-OPEN lets `half_open_requests` trial calls through; success closes it,
 *   failure opens it again.
 */
type Op = { kind: "call"; ok: boolean } | { kind: "advance"; ms: number };

interface Model {
  state: "CLOSED" | "OPEN" | "HALF_OPEN";
  consecutive: number;
  openedAt: number;
  trials: number;
}

function modelCall(m: Model, now: number, ok: boolean, s: { threshold: number; resetTimeoutMs: number; halfOpenRequests: number }): boolean {
  if (m.state === "OPEN" && now - m.openedAt >= s.resetTimeoutMs) {
    m.state = "HALF_OPEN";
    m.trials = 0;
  }
  if (m.state === "OPEN") return false;
  if (m.state === "HALF_OPEN") {
    if (m.trials >= s.halfOpenRequests) return false;
    m.trials++;
    if (ok) {
      m.state = "CLOSED";
      m.consecutive = 0;
    } else {
      m.state = "OPEN";
      m.openedAt = now;
    }
    return true;
  }
  if (ok) m.consecutive = 0;
  else if (++m.consecutive >= s.threshold) {
    m.state = "OPEN";
    m.openedAt = now;
    m.consecutive = 0;
  }
  return true;
}

const settings = fc.record({
  threshold: fc.integer({ min: 1, max: 6 }),
  resetTimeoutMs: fc.integer({ min: 1, max: 60_000 }),
  halfOpenRequests: fc.integer({ min: 1, max: 3 }),
});

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("call" as const), ok: fc.boolean() }),
    fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 90_000 }) }),
  ),
  { maxLength: 80 },
);

describe("the circuit breaker follows the spec's table", () => {
  it("lets through exactly the calls the model lets through, in the same states", () => {
    fc.assert(
      fc.property(settings, ops, (s, sequence) => {
        let now = 0;
        const breaker = new CircuitBreaker(s, () => now);
        const model: Model = { state: "CLOSED", consecutive: 0, openedAt: 0, trials: 0 };
        for (const op of sequence as Op[]) {
          if (op.kind === "advance") {
            now += op.ms;
            continue;
          }
          const allowed = breaker.tryAcquire();
          if (allowed) (op.ok ? breaker.success() : breaker.failure());
          expect(allowed).toBe(modelCall(model, now, op.ok, s));
          expect(breaker.state).toBe(model.state === "OPEN" && now - model.openedAt >= s.resetTimeoutMs ? "HALF_OPEN" : model.state);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("opens after exactly `threshold` consecutive failures, and a success in between resets the count", () => {
    const b = new CircuitBreaker({ threshold: 3, resetTimeoutMs: 1000, halfOpenRequests: 1 }, () => 0);
    for (const ok of [false, false, true, false, false]) {
      expect(b.tryAcquire()).toBe(true);
      ok ? b.success() : b.failure();
    }
    expect(b.state).toBe("CLOSED");
    b.tryAcquire();
    b.failure();
    expect(b.state).toBe("OPEN");
    expect(b.tryAcquire()).toBe(false);
  });
});
