import { Date, Process } from "./runtime/stdlib.js";

export function health() {
  return { status: "ok", uptime: Process.uptime(), timestamp: Date.now() };
}
