import { upper } from "./runtime/stdlib.js";

const greeting_1 = "hello";
export const greeting = `${greeting_1}, world`;

export function shout(): string {
  return upper(greeting);
}
