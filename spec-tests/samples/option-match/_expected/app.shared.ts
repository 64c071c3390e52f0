import { t } from "./runtime/schema.js";
import { Some, find, is_some, len, lower, map, matchFailed, print, unwrapOr } from "./runtime/stdlib.js";

export interface User {
  id: number;
  name: string;
  admin: boolean;
}

export const UserSchema = t.record<User>("User", { id: t.int, name: t.string, admin: t.bool });

export function find_user(users: User[], id: number): User | null {
  return find(users, (u: any) => u.id === id);
}

export function greeting(user: User | null = null): string {
  if (user != null && user.admin) {
    return `Welcome back, admin ${user.name}`;
  } else if (user != null) {
    return `Hello ${user.name}`;
  } else if (user == null) {
    return "Hello, stranger";
  } else {
    return matchFailed(user);
  }
}

export function nickname(name: string): string | null {
  if (len(name) > 3) {
    return Some(lower(name));
  } else {
    return null;
  }
}

export function display(users: User[], id: number): string {
  return unwrapOr(
    map(find_user(users, id), (u: any) => u.name),
    "unknown",
  );
}

export function log_lookup(users: User[], id: number) {
  const subject = find_user(users, id);
  if (subject != null) {
    print(`found ${subject.name}`);
  } else {
    print(`no user ${id}`);
  }
}

export function has_user(users: User[], id: number): boolean {
  return is_some(find_user(users, id));
}
