import { Some, entries, print, range } from "./runtime/stdlib.js";

export function sum_evens(xs: number[]): number {
  let total = 0;
  for (const x of xs) {
    if (x % 2 !== 0) {
      continue;
    }
    if (x > 100) {
      break;
    }
    total += x;
  }
  return total;
}

export function dump(config: Record<string, string>) {
  for (const [key, value] of entries(config)) {
    print(`${key} = ${value}`);
  }
}

export function countdown(n: number) {
  let i = n;
  while (i > 0) {
    print(i);
    i -= 1;
  }
  print("liftoff");
}

export function first_negative(xs: number[]): number | null {
  for (const x of xs) {
    if (x < 0) {
      return Some(x);
    }
  }
  return null;
}

export function grid(n: number) {
  for (const row of range(0, n)) {
    for (const col of range(0, n)) {
      print(`${row},${col}`);
    }
  }
}
