// How the runtime recognises a Result value: by a brand, not by its shape.
// `Ok`/`Err` build instances of two small classes whose prototype carries a
// registered symbol, so a user's record or map that happens to have `ok` and
// `value`/`error` fields (`Check { ok: false, error: "disk" }`) is never
// taken for a Result: `!` does not return it and a route answers it as data
// (issue 9, "Formatting Tova values"). The brand lives on the prototype: it
// is not an own key, so JSON, `keys`, `==` in tests and spreading see only
// `ok` and `value`/`error`. A Result that went through JSON (a job or event
// payload from another process, a JSON column) is a plain object again.

export type AnyResult = { ok: true; value: unknown } | { ok: false; error: unknown };

// Symbol.for: two copies of the runtime in one process still agree.
const RESULT: unique symbol = Symbol.for("tova.result") as never;

/** The value of `Ok(v)`. */
export class OkResult<T> {
  readonly ok: true;
  readonly value: T;
  constructor(value: T) {
    this.ok = true;
    this.value = value;
  }
}

/** The value of `Err(e)`. */
export class ErrResult<E> {
  readonly ok: false;
  readonly error: E;
  constructor(error: E) {
    this.ok = false;
    this.error = error;
  }
}

for (const cls of [OkResult, ErrResult]) Object.defineProperty(cls.prototype, RESULT, { value: true });

/** True for a value built by `Ok` or `Err`. */
export function isResult(value: unknown): value is AnyResult {
  return typeof value === "object" && value !== null && (value as { [RESULT]?: boolean })[RESULT] === true;
}
