import { t } from "./runtime/schema.js";
import {
  all,
  any,
  contains,
  each,
  entries,
  env,
  filter,
  find,
  first,
  is_err,
  is_none,
  is_ok,
  is_some,
  join,
  keys,
  last,
  len,
  map,
  max,
  min,
  print,
  range,
  reduce,
  skip,
  sleep,
  sort_by,
  split,
  starts_with,
  sum,
  take,
  to_float,
  to_int,
  to_string,
  trim,
  unwrapOr,
  upper,
  uuid,
  values,
  type Result,
} from "./runtime/stdlib.js";

export interface Order {
  id: number;
  total: number;
  paid: boolean;
  refunded: boolean;
  created: number;
}

export const OrderSchema = t.record<Order>("Order", {
  id: t.int,
  total: t.float,
  paid: t.bool,
  refunded: t.bool,
  created: t.int,
});

export function summary(orders: Order[]) {
  const paid = filter(orders, (it: any) => it.paid);
  const totals = map(paid, (it: any) => it.total);
  return {
    count: len(paid),
    revenue: sum(totals),
    average: reduce(totals, (acc: any, x: any) => acc + x, 0) / to_float(len(totals)),
    biggest: max(totals),
    smallest: min(totals),
    newest: first(sort_by(orders, (a: any, b: any) => b.created - a.created)),
    cheapest_three: take(
      sort_by(orders, (it: any) => it.total),
      3,
    ),
    rest: skip(orders, 3),
    oldest: last(orders),
    big: find(orders, (o: any) => o.total > 100),
    any_refund: any(orders, (it: any) => it.refunded),
    all_paid: all(orders, (it: any) => it.paid),
  };
}

export function tag_line(tags: string[]): string {
  return join(map(map(tags, trim), upper), ", ");
}

export function hashtags(text: string): string[] {
  return filter(split(text, " "), (w: any) => starts_with(w, "#"));
}

export function is_admin(roles: string[]): boolean {
  return contains(roles, "admin");
}

export function parse_numbers(a: string, b: string): number {
  return to_int(a) + to_float(b);
}

export function ids(): string[] {
  return map(range(0, 5), to_string);
}

export function describe(config: any) {
  print(`${len(keys(config))} keys: ${join(values(config), ", ")}`);
  return each(entries(config), (pair: any) => print(pair));
}

export function token(): string {
  return uuid();
}

export function home(): string {
  return unwrapOr(env("HOME"), "/");
}

export function checks(o: number | null, r: Result<number, string>): boolean {
  return is_some(o) && !is_none(o) && is_ok(r) && !is_err(r);
}

export async function pause() {
  await sleep(100);
}
