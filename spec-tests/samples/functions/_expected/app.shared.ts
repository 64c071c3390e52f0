import { fmt, print } from "./runtime/stdlib.js";

export const six = add(5);
export const seven = add(3, 4);

export function add(a: number, b: number = 1): number {
  return a + b;
}

export function greet(who: any) {
  return fmt`hi ${who}`;
}

export function describe(name: string, age: number = 30, title: string = "friend"): string {
  return `${title} ${name} (${age})`;
}

export function clamp(value: number, low: number, high: number): number {
  if (value < low) {
    return low;
  }
  if (value > high) {
    return high;
  }
  return value;
}

export function log_twice(message: string) {
  print(message);
  print(message);
}

export function outer(n: number): number {
  function helper(x: number): number {
    return x * n;
  }
  return helper(2) + helper(3);
}

export function identity<T>(value: T): T {
  return value;
}
