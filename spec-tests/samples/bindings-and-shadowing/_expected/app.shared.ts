import { lower, print, sum, trim } from "./runtime/stdlib.js";

export function checkout_total(prices: number[], discount: number): number {
  const total = sum(prices);
  const total2 = total - discount;
  const total3: number = total2 < 0 ? 0 : total2;
  let shipping = 5;
  if (total3 > 100) {
    shipping = 0;
  }
  shipping += 1.5;
  return total3 + shipping;
}

export function normalize(name: string): string {
  const name2 = trim(name);
  const name3 = lower(name2);
  return name3;
}

export function label(n: number): string {
  const text: string = "zero";
  if (n > 0) {
    const text2: string = "positive";
    print(`inside: ${text2}`);
  }
  return text;
}

export function doubled(xs: number[]) {
  for (const x of xs) {
    const x2 = x * 2;
    print(x2);
  }
}

export function counter_demo(): number {
  let count = 10;
  count += 5;
  count -= 3;
  count *= 2;
  count /= 4;
  return count;
}
