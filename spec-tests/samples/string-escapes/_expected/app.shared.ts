import { join } from "./runtime/stdlib.js";

export function report(name: string, count: number): string {
  return `user:\t${name}\ncount:\t${count}\n`;
}

export function csv_row(fields: string[]): string {
  return `${join(fields, ",")}\r\n`;
}
