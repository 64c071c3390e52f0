import { fetch } from "./runtime/stdlib.js";

export const url: string = "http://localhost:3000/healthz";

export async function load(): Promise<any> {
  return await fetch(url);
}

export async function status_of(endpoint: string): Promise<number> {
  const response = await fetch(endpoint);
  return response.status;
}

export async function count_up(endpoints: string[]): Promise<number> {
  let up = 0;
  for (const endpoint of endpoints) {
    const code = await status_of(endpoint);
    if (code === 200) {
      up += 1;
    }
  }
  return up;
}

export async function fetch_json(path: string): Promise<any> {
  const response = await fetch(`${url}${path}`);
  return await response.json();
}

export async function both() {
  const a = await fetch_json("/a");
  const b = await fetch_json("/b");
  return [a, b];
}
