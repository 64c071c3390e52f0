/**
 * A stream of decisions for the program generator. fast-check generates the
 * stream (an array of naturals); the generator reads one number per
 * decision. An exhausted stream answers 0, and every decision lists its
 * simplest option first, so a shorter stream or smaller numbers always give
 * a simpler program: shrinking the stream shrinks the program (the approach
 * of Hypothesis's choice sequences).
 */
export class Choices {
  private at = 0;

  constructor(private readonly stream: readonly number[]) {}

  /** How many decisions were read (the stream beyond this point is unused). */
  get used(): number {
    return this.at;
  }

  /** A number in [0, n). */
  below(n: number): number {
    const v = this.at < this.stream.length ? this.stream[this.at]! : 0;
    this.at++;
    return n <= 1 ? 0 : v % n;
  }

  /** True with probability about `percent` / 100 (false when the stream is exhausted). */
  chance(percent: number): boolean {
    const v = this.below(100);
    return v !== 0 && v <= percent;
  }

  /** One of the options whose guard holds, by weight; the first available option is the simplest. */
  pick<T>(options: readonly (readonly [weight: number, ok: boolean, make: () => T])[]): T {
    const open = options.filter((o) => o[1] && o[0] > 0);
    if (open.length === 0) throw new Error("no option available");
    const total = open.reduce((s, o) => s + o[0], 0);
    let v = this.below(total);
    for (const o of open) {
      if (v < o[0]) return o[2]();
      v -= o[0];
    }
    return open[0]![2]();
  }
}
