// How the runtime recognises a Result value. Generated code builds Results
// with `Ok`/`Err`, but a literal `{ ok: true, value }` is the same value, so
// the test is structural: a boolean `ok` and exactly one other key, `value`
// for Ok and `error` for Err. A user record with more fields is never taken
// for a Result.

export type AnyResult = { ok: true; value: unknown } | { ok: false; error: unknown };

export function isResult(value: unknown): value is AnyResult {
  if (typeof value !== "object" || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  if (ok !== true && ok !== false) return false;
  let keys = 0;
  for (const _ in value) keys++;
  return keys === 2 && (ok ? "value" in value : "error" in value);
}
