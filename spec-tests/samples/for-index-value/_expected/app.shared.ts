import { entries, len, print } from "./runtime/stdlib.js";

export function numbered(items: string[]) {
  for (const [i, item] of entries(items)) {
    print(`${i + 1}. ${item}`);
  }
}

export function first_gap(xs: number[]): number {
  for (const [i, x] of entries(xs)) {
    if (x !== i) {
      return i;
    }
  }
  return len(xs);
}
