import { upper } from "./runtime/stdlib.js";

const greeting_1: string = "hello";
export const greeting: string = `${greeting_1}, world`;

export function shout(): string {
  return upper(greeting);
}
