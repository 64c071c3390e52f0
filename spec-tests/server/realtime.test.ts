import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../cli/toolchain.js";
import { buildProgram, call, cleanDirs, freePort, start, stopAll } from "./harness.js";

/**
 * named-blocks.md's multi-server example, unchanged: `create_user` on api
 * reaches `realtime.notify` through discover, and a WebSocket client of
 * realtime receives the broadcast.
 */
const SOURCE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "multi-server.tova"), "utf8");
const tmp = mkdtempSync(path.join(os.tmpdir(), "tova-ws-"));

afterAll(async () => {
  await stopAll();
  cleanDirs();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the multi-server example", () => {
  it("create_user on api reaches realtime.notify, whose broadcast a WebSocket client receives", async () => {
    const built = await buildProgram(SOURCE, "app");
    const [apiPort, realtimePort] = [await freePort(), await freePort()];
    const env = { PORT_API: String(apiPort), PORT_REALTIME: String(realtimePort) };
    await start(built.file("server", "realtime"), { env, port: realtimePort, portEnv: "PORT_REALTIME" });
    const api = await start(built.file("server", "api"), { env, port: apiPort, portEnv: "PORT_API" });

    // A WebSocket client, run by Bun (Node 20 has no WebSocket), printing every message it receives.
    const client = path.join(tmp, "client.mjs");
    writeFileSync(client, `const ws = new WebSocket("ws://127.0.0.1:${realtimePort}/ws");
ws.onopen = () => console.log("open");
ws.onmessage = (e) => { console.log(e.data); process.exit(0); };
setTimeout(() => process.exit(2), 10000);`);
    const child = spawn(path.join(PACKAGE_ROOT, "node_modules", ".bin", "bun"), [client], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    for (let i = 0; i < 100 && !out.includes("open"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("open");

    const created = await call(`${api.url}/rpc/create_user`, { json: { __args: ["Ada", "ada@example.com"] } });
    expect(created.body.result).toMatchObject({ id: expect.any(Number), name: "Ada", email: "ada@example.com" });
    expect(await exited).toBe(0);
    const message = JSON.parse(out.split("\n").find((l) => l.startsWith("{"))!);
    expect(message).toEqual({ event: "user_joined", data: { message: "Ada" } });
    expect((await call(`${api.url}/rpc/get_users`, { json: { __args: [] } })).body.result).toEqual([created.body.result]);
  }, 60_000);

  it("the worker's schedule calls api.get_users() (its hourly schedule made to fire every second)", async () => {
    const built = await buildProgram(SOURCE.replace('schedule "0 * * * *"', 'schedule "* * * * * *"'), "app");
    const [apiPort, realtimePort, workerPort] = [await freePort(), await freePort(), await freePort()];
    const env = { PORT_API: String(apiPort), PORT_REALTIME: String(realtimePort), PORT_WORKER: String(workerPort) };
    const api = await start(built.file("server", "api"), { env, port: apiPort, portEnv: "PORT_API" });
    await start(built.file("server", "realtime"), { env, port: realtimePort, portEnv: "PORT_REALTIME" });
    await call(`${api.url}/rpc/create_user`, { json: { __args: ["Ada", "ada@example.com"] } });
    const worker = await start(built.file("server", "worker"), { env, port: workerPort, portEnv: "PORT_WORKER" });
    for (let i = 0; i < 40 && !worker.output().includes("Total users: 1"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(worker.output()).toContain("Total users: 1");
  }, 60_000);
});
