// Reactivity for client blocks (`state`, `computed`, `effect`): push-pull
// signals. Writing a signal marks what depends on it stale (push); computed
// values recompute when read (pull); effects re-run once per batch of
// writes, after the writes, so they never see a half-updated state.

interface Source {
  observers: Set<Observer>;
}

interface Observer {
  sources: Set<Source>;
  /** A source changed. */
  stale(): void;
}

let current: Observer | null = null;
let batchDepth = 0;
const pending = new Set<EffectNode>();

function track(source: Source): void {
  if (current) {
    source.observers.add(current);
    current.sources.add(source);
  }
}

function notify(source: Source): void {
  batchDepth++;
  try {
    for (const observer of [...source.observers]) observer.stale();
  } finally {
    batchDepth--;
  }
  if (batchDepth === 0) flush();
}

function flush(): void {
  // Effects may write signals again; a cycle that never settles is a bug in the program.
  for (let round = 0; pending.size > 0; round++) {
    if (round > 100) throw new Error("effect: changes did not settle after 100 rounds (an effect writes what it reads?)");
    const effects = [...pending];
    pending.clear();
    for (const effect of effects) effect.run();
  }
}

function untrack(observer: Observer): void {
  for (const source of observer.sources) source.observers.delete(observer);
  observer.sources.clear();
}

function tracked<T>(observer: Observer, fn: () => T): T {
  untrack(observer);
  const previous = current;
  current = observer;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** A value that code can read and write; readers re-run when it changes. */
export interface Signal<T> {
  value: T;
}

class SignalNode<T> implements Signal<T>, Source {
  observers = new Set<Observer>();
  constructor(private current: T) {}
  get value(): T {
    track(this);
    return this.current;
  }
  set value(next: T) {
    if (Object.is(next, this.current)) return;
    this.current = next;
    notify(this);
  }
}

class ComputedNode<T> implements Source, Observer {
  observers = new Set<Observer>();
  sources = new Set<Source>();
  private dirty = true;
  private cached!: T;
  constructor(private readonly fn: () => T) {}
  stale(): void {
    if (this.dirty) return;
    this.dirty = true;
    for (const observer of [...this.observers]) observer.stale();
  }
  get value(): T {
    track(this);
    if (this.dirty) {
      this.cached = tracked(this, this.fn);
      this.dirty = false;
    }
    return this.cached;
  }
}

class EffectNode implements Observer {
  sources = new Set<Source>();
  constructor(private readonly fn: () => unknown) {}
  stale(): void {
    pending.add(this);
  }
  run(): void {
    tracked(this, this.fn);
  }
}

/**
 * `state x = e`: a writable reactive value.
 * @example const count = signal(0); count.value += 1;
 */
export function signal<T>(initial: T): Signal<T> {
  return new SignalNode(initial);
}

/**
 * `computed x = e`: a value derived from signals, recomputed when read after they change.
 * @example const double = computed(() => count.value * 2);
 */
export function computed<T>(fn: () => T): { readonly value: T } {
  return new ComputedNode(fn);
}

/**
 * `effect { }`: runs now, and again after any signal it read changes.
 * @example effect(() => { document.title = `${count.value} clicks`; });
 */
export function effect(fn: () => unknown): void {
  new EffectNode(fn).run();
}
