import { Date, len, mapGet } from "./runtime/stdlib.js";

export const defaults = { theme: "light", page_size: 20 };
export const matrix = [
  [1, 2],
  [3, 4],
];
export const corner = matrix[1][0];
export let lookup: Record<string, number> = { one: 1, two: 2 };
export const empty: any[] = [];

export function settings(overrides: any): any {
  return { ...defaults, ...overrides, "updated-at": Date.now() };
}

export function profile(name: string, age: number) {
  return { name, age, tags: ["new"] };
}

export function ends(xs: number[]): number[] {
  return [xs[0], xs[len(xs) - 1]];
}

export function with_extra(xs: number[]): number[] {
  return [...xs, 99, 100];
}

export function city(user: any): any {
  return user?.address?.city;
}

export function header(headers: Record<string, string>, name: string) {
  return mapGet(headers, name);
}
