import { filter, len, map, print } from "./runtime/stdlib.js";

export const double = (x: any) => x * 2;
export const show = (x: any, y: any) => {
  print(x);
  return y;
};
export const rows = [
  { id: 1, active: true },
  { id: null, active: false },
];
export const active = map(
  filter(rows, (it: any) => it.active === true),
  (it: any) => it.id,
);
export const quadrupled = apply_twice(double, 5);

export function apply_twice(f: any, x: any): any {
  return f(f(x));
}

export function names_longer_than(users: any, n: number): any {
  return filter(
    map(users, (it: any) => it.name),
    (name: string): boolean => len(name) > n,
  );
}

export function adder(n: number) {
  return (x: number) => x + n;
}
