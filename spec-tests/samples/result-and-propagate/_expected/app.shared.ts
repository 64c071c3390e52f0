import { t } from "./runtime/schema.js";
import {
  Err,
  Ok,
  all,
  find,
  isFailure,
  is_ok,
  ok_or,
  to_float,
  unwrap,
  type Result,
} from "./runtime/stdlib.js";

export interface Account {
  id: number;
  balance: number;
}

export const AccountSchema = t.record<Account>("Account", { id: t.int, balance: t.float });

export function parse_amount(text: string): Result<number, string> {
  const amount = to_float(text);
  if (amount <= 0) {
    return Err("amount must be positive");
  } else {
    return Ok(amount);
  }
}

export function find_account(accounts: Account[], id: number): Account | null {
  return find(accounts, (a: any) => a.id === id);
}

export function withdraw(accounts: Account[], id: number, text: string): Result<number, string> {
  const amountResult = parse_amount(text);
  if (isFailure(amountResult)) return amountResult;
  const amount = unwrap(amountResult);
  const accountResult = ok_or(find_account(accounts, id), `no account ${id}`);
  if (isFailure(accountResult)) return accountResult;
  const account = unwrap(accountResult);
  if (account.balance < amount) {
    return Err("insufficient funds");
  }
  return Ok(account.balance - amount);
}

export function report(r: Result<number, string>): string {
  if (r.ok) {
    return `new balance ${r.value}`;
  } else {
    return `failed: ${r.error}`;
  }
}

export function all_ok(results: Result<number, string>[]): boolean {
  return all(results, (r: any) => is_ok(r));
}
