import { eq, map, range } from "./runtime/stdlib.js";

export function in_range(x: number): boolean {
  return 1 < x && x < 10;
}

export function between(x: number, lo: number, hi: number): boolean {
  return lo <= x && x <= hi;
}

export function squares(n: number): number[] {
  return map(range(1, n + 1), (i: any) => i ** 2);
}

export function first_ten(): number[] {
  return range(0, 10);
}

export function display_name(nick: string | null, name: string): string {
  return nick ?? name;
}

export function can_edit(user: any, doc: any): boolean {
  return user.admin || (eq(user.id, doc.owner) && !doc.locked);
}

export function either(a: boolean, b: boolean): boolean {
  return (a && b) || !a;
}

export function is_even(n: number): boolean {
  return n % 2 === 0;
}

export function circle_area(r: number): number {
  return 3.14159 * r ** 2;
}

export function negate(x: number): number {
  return -x;
}

export function mixed(a: number, b: number, c: number): number {
  return (a + b) * c - a / b;
}

export function power_tower(x: number): number {
  return 2 ** (x ** 2);
}

export function not_equal(a: string, b: string): boolean {
  return a !== b;
}
