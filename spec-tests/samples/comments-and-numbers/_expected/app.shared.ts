import { filter, map } from "./runtime/stdlib.js";

export const max_retries = 3;
export const population = 1_000_000;
export const mask = 0xff;
export const big = 1_000_000_000;
export const ratio = 3.14;

export function backoff(attempt: number): number {
  const base = 100;
  const factor = 2;
  return base * factor ** attempt;
}

export function total(a: number, b: number, c: number): number {
  return a + b + c;
}

export function chain(values: number[]): number[] {
  return map(
    filter(values, (v: any) => v > 0),
    (v: any) => v * mask,
  );
}
