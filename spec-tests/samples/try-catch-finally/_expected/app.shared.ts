import { JSON, fetch, fmt, print } from "./runtime/stdlib.js";

export function safe_parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch (err: any) {
    print(fmt`bad json: ${err.message}`);
    return null;
  } finally {
    print("parse attempted");
  }
}

export async function fetch_status(url: string): Promise<string> {
  let status = "unknown";
  try {
    const response = await fetch(url);
    status = response.ok ? "up" : "degraded";
  } catch (err: any) {
    status = fmt`down: ${err.message}`;
  }
  return status;
}

export function parse_or_nil(text: string): any {
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch (e: any) {
    parsed = null;
  }
  return parsed;
}
