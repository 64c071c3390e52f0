import { safeName } from "../hygiene.js";

/**
 * The TypeScript names of a function body's bindings (decisions.md,
 * "Semantics programs rely on", "Names"). A binding keeps its Tova name unless
 * that name is already visible (an outer binding, a module-level name): then it
 * gets a numbered name, so `x = x + 1` reads the old `x` and a later use of the
 * outer name is never captured. Temporaries the compiler introduces avoid every
 * name the program writes anywhere (`taken`), so they never hide the user's.
 */

export interface Local {
  /** The TypeScript name it is declared with. */
  ts: string;
  /** How to read it: the name, or the path of a matched part for pattern bindings. */
  read: string;
  mutable: boolean;
}

interface Frame {
  names: Map<string, Local>;
  /** Every TypeScript name declared in this frame, including ones a later binding of the same Tova name hides. */
  declared: Set<string>;
}

export class Scopes {
  private frames: Frame[] = [];
  /** Temporaries of the current function. */
  private temps = new Set<string>();

  /**
   * `moduleTaken(ts)`: a name used at module level (declarations, imports, generated names).
   * `reserved`: every identifier the program writes anywhere in the application.
   */
  constructor(
    private readonly moduleTaken: (ts: string) => boolean,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  get depth(): number {
    return this.frames.length;
  }

  /** Runs `fn` in a new function body: fresh frames and temporaries, restored afterwards. */
  inFunction<T>(fn: () => T): T {
    const saved = this.temps;
    this.temps = new Set(saved); // a closure must not reuse its enclosing function's temporaries
    this.frames.push({ names: new Map(), declared: new Set() });
    try {
      return fn();
    } finally {
      this.frames.pop();
      this.temps = saved;
    }
  }

  /** Runs `fn` in a nested block scope. */
  nested<T>(fn: () => T): T {
    this.frames.push({ names: new Map(), declared: new Set() });
    try {
      return fn();
    } finally {
      this.frames.pop();
    }
  }

  lookup(name: string): Local | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const hit = this.frames[i]!.names.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The TypeScript name a new binding of `name` will get, without declaring it yet (its value is lowered first). */
  nameFor(name: string): string {
    const preferred = safeName(name);
    if (preferred === name && !this.visible(name) && !this.temps.has(name)) return name;
    return this.fresh(preferred === name ? name : preferred);
  }

  /** Keeps a TypeScript name from later bindings of this frame and the frames inside it. */
  reserve(ts: string): void {
    this.top().declared.add(ts);
  }

  /** Declares a binding under the TypeScript name `nameFor` chose. */
  bind(name: string, ts: string, mutable: boolean): string {
    const frame = this.top();
    frame.names.set(name, { ts, read: ts, mutable });
    frame.declared.add(ts);
    return ts;
  }

  declare(name: string, mutable: boolean): string {
    return this.bind(name, this.nameFor(name), mutable);
  }

  /** Parameters keep their names when they can: they start a function's scope. */
  declareParam(name: string): string {
    return this.declare(name, false);
  }

  /** A pattern binding that reads a part of the match subject. */
  alias(name: string, read: string): void {
    this.top().names.set(name, { ts: read, read, mutable: false });
  }

  /** A temporary: a name no binding of the program uses, unique in the function. */
  temp(base: string): string {
    const name = this.fresh(base);
    this.temps.add(name);
    return name;
  }

  private fresh(base: string): string {
    const ok = (n: string) => !this.reserved.has(n) && !this.visible(n) && !this.temps.has(n);
    if (ok(base)) return base;
    for (let n = 2; ; n++) if (ok(`${base}${n}`)) return `${base}${n}`;
  }

  private visible(ts: string): boolean {
    if (this.moduleTaken(ts)) return true;
    for (const f of this.frames) if (f.declared.has(ts)) return true;
    return false;
  }

  private top(): Frame {
    if (!this.frames.length) this.frames.push({ names: new Map(), declared: new Set() });
    return this.frames[this.frames.length - 1]!;
  }
}
