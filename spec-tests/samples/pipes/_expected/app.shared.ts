import { t } from "./runtime/schema.js";
import {
  JSON,
  Ok,
  filter,
  find,
  isFailure,
  join,
  len,
  lower,
  map,
  ok_or,
  sort_by,
  split,
  sum,
  take,
  to_float,
  trim,
  unwrap,
  upper,
  type Result,
} from "./runtime/stdlib.js";

export interface Account {
  id: number;
  owner: string;
}

export const AccountSchema = t.record<Account>("Account", { id: t.int, owner: t.string });

export function average(values: number[]): number {
  return sum(values) / to_float(len(values));
}

export function slugify(title: string): string {
  return join(split(lower(trim(title)), " "), "-");
}

export function top_names(users: any, n: number): any {
  return map(
    take(
      sort_by(
        filter(users, (it: any) => it.active),
        (it: any) => it.score,
      ),
      n,
    ),
    (it: any) => it.name,
  );
}

export function encode(payload: any): string {
  return JSON.stringify(payload);
}

export function owner_of(accounts: Account[], id: number): Result<string, string> {
  const accountResult = ok_or(
    find(accounts, (a: any) => a.id === id),
    `missing account ${id}`,
  );
  if (isFailure(accountResult)) return accountResult;
  const account = unwrap(accountResult);
  return Ok(account.owner);
}

export function shout(name: string | null = null): string {
  return upper(name ?? "anonymous");
}

export function count_words(text: string): number {
  return len(split(text, " "));
}
