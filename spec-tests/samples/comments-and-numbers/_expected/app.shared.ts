import { filter, map } from "./runtime/stdlib.js";

export const max_retries: number = 3;
export const population: number = 1_000_000;
export const mask: number = 0xff;
export const big: number = 1_000_000_000;
export const ratio: number = 3.14;

export function backoff(attempt: number): number {
  const base: number = 100;
  const factor: number = 2;
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
