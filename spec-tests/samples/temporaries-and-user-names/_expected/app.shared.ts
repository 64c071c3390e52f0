import { t } from "./runtime/schema.js";
import { Ok, filter, find, isFailure, len, ok_or, print, unwrap, type Result } from "./runtime/stdlib.js";

export interface Item {
  id: number;
  price: number;
}

export const ItemSchema = t.record<Item>("Item", { id: t.int, price: t.float });

export function find_item(items: Item[], id: number): Item | null {
  return find(items, (i: any) => i.id === id);
}

export function doubled_price(items: Item[], id: number): Result<number, string> {
  const itemResult = ok_or(find_item(items, id), `no item ${id}`);
  if (isFailure(itemResult)) return itemResult;
  const item = unwrap(itemResult);
  const result = item.price * 2;
  return Ok(result);
}

export function chosen_count(items: Item[], all: boolean): number {
  let chosen: Item[];
  if (all) {
    print("taking all");
    chosen = items;
  } else {
    chosen = [];
  }
  const value = len(chosen);
  return value;
}

export function above(items: Item[], it: number): Item[] {
  return filter(items, (it_: any) => it_.price > it);
}
