import { t } from "./runtime/schema.js";
import { join, len, upper } from "./runtime/stdlib.js";

export interface User {
  name: string;
  email: string;
}

export const UserSchema = t.record<User>("User", { name: t.string, email: t.string });

export const banner: string = "Welcome to Tova\n  indented line";

export function welcome(user: User, items: string[]): string {
  return `Hello ${user.name}, you have ${len(items)} items`;
}

export function quoted(name: string): string {
  return `He said "hi" to ${name} \\ done`;
}

export function literal_braces(): string {
  return "use {braces} literally";
}

export function tag_line(tags: string[]): string {
  return `tags: ${join(tags, ", ")}`;
}

export function shout(user: User): string {
  return `${"<" + user.name + ">"} says ${upper("hi")}`;
}

export function raw(): string {
  return "no {interpolation} here";
}

export function price(amount: number): string {
  return `$${amount} \`total\``;
}

export function plain(): string {
  return "no interpolation at all";
}

export function letter(name: string): string {
  return `Dear ${name},\nthanks for writing.`;
}
