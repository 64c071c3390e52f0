// The circuit breaker of named-blocks.md ("Circuit Breaker"), as a small
// state machine with an injectable clock so its table can be tested exactly:
//
//   CLOSED    calls go through; `threshold` consecutive counted failures open it
//   OPEN      calls fail at once, without a request, until `resetTimeoutMs` passed
//   HALF_OPEN `halfOpenRequests` trial calls go through; a success closes it,
//             a failure opens it again (for another `resetTimeoutMs`)

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

export interface BreakerSettings {
  threshold: number;
  resetTimeoutMs: number;
  halfOpenRequests: number;
}

export class CircuitBreaker {
  private current: BreakerState = "CLOSED";
  private failures = 0;
  private openedAt = 0;
  private trials = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The state as of now (OPEN turns HALF_OPEN once the reset timeout has passed). */
  get state(): BreakerState {
    if (this.current === "OPEN" && this.now() - this.openedAt >= this.settings.resetTimeoutMs) {
      this.current = "HALF_OPEN";
      this.trials = 0;
    }
    return this.current;
  }

  /** Whether a call may go out now; in HALF_OPEN it takes one of the trial slots. */
  tryAcquire(): boolean {
    switch (this.state) {
      case "CLOSED":
        return true;
      case "OPEN":
        return false;
      case "HALF_OPEN":
        if (this.trials >= Math.max(1, this.settings.halfOpenRequests)) return false;
        this.trials++;
        return true;
    }
  }

  /** A call that went out succeeded. */
  success(): void {
    this.failures = 0;
    if (this.current === "HALF_OPEN") this.current = "CLOSED";
  }

  /** A call that went out failed (after its retries): counts toward opening. */
  failure(): void {
    if (this.current === "HALF_OPEN") {
      this.open();
      return;
    }
    this.failures++;
    if (this.failures >= this.settings.threshold) this.open();
  }

  private open(): void {
    this.current = "OPEN";
    this.openedAt = this.now();
    this.failures = 0;
    this.trials = 0;
  }
}
