// The signing of requests between the app's servers (internal.ts), seen from
// a layer that would let the app's own servers through (`admitSigned`): a
// peer call made with `peer()` is signed and admitted with its body intact;
// an unsigned, tampered, replayed or foreign-key request is not.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runBun, stopAll, writeProgram } from "../testing/bun-process.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const dir = mkdtempSync(path.join(tmpdir(), "tova-internal-"));
afterAll(() => {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const source = (file: string) => JSON.stringify(path.join(ROOT, "runtime", "server", file));

const GATE = `
import { admitSigned, claimsInternal, signatureHeaders } from ${source("internal.ts")};
import { peer } from ${source("peers.ts")};
const seen = [];
const server = Bun.serve({
  port: 0,
  async fetch(raw) {
    const claimed = claimsInternal(raw);
    const admitted = claimed ? await admitSigned(raw, 1024) : null;
    const entry = { path: new URL(raw.url).pathname, claimed, admitted: admitted !== null, body: admitted ? await admitted.text() : null };
    seen.push(entry);
    return Response.json({ result: entry });
  },
});
const url = "http://127.0.0.1:" + server.port;
const out = {};
const gate = peer("gate", { url, urlEnv: "URL_GATE", portEnv: "PORT_GATE", port: null, health: null, breaker: { threshold: 5, resetTimeoutMs: 1000, timeoutMs: 2000, halfOpenRequests: 1 } });
out.peer = await gate.add(1, 2);
out.unsigned = (await (await fetch(url + "/rpc/add", { method: "POST", body: "{}" })).json()).result;
const body = JSON.stringify({ __args: [3] });
const headers = signatureHeaders("POST", "/rpc/add", body);
out.first = (await (await fetch(url + "/rpc/add", { method: "POST", headers, body })).json()).result;
out.replay = (await (await fetch(url + "/rpc/add", { method: "POST", headers, body })).json()).result;
out.tampered = (await (await fetch(url + "/rpc/add", { method: "POST", headers: signatureHeaders("POST", "/rpc/add", body), body: body.replace("3", "4") })).json()).result;
out.otherPath = (await (await fetch(url + "/rpc/delete_all", { method: "POST", headers: signatureHeaders("POST", "/rpc/add", body), body })).json()).result;
out.tooBig = (await (await fetch(url + "/rpc/add", { method: "POST", headers: signatureHeaders("POST", "/rpc/add", "x".repeat(2000)), body: "x".repeat(2000) })).json()).result;
console.log(JSON.stringify(out));
server.stop(true);
`;

describe("requests between the app's servers are signed", () => {
  it("a peer call is signed and admitted with its body; unsigned, replayed, tampered, re-pathed and oversized ones are not", async () => {
    const r = await runBun(writeProgram(dir, "gate.ts", GATE), { TOVA_APP_KEY: "k".repeat(40) });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.peer).toEqual({ path: "/rpc/add", claimed: true, admitted: true, body: '{"__args":[1,2]}' });
    expect(out.unsigned).toMatchObject({ claimed: false, admitted: false });
    expect(out.first).toMatchObject({ admitted: true, body: '{"__args":[3]}' });
    expect(out.replay).toMatchObject({ claimed: true, admitted: false });
    expect(out.tampered).toMatchObject({ claimed: true, admitted: false });
    expect(out.otherPath).toMatchObject({ path: "/rpc/delete_all", admitted: false });
    expect(out.tooBig).toMatchObject({ claimed: true, admitted: false });
  });
});
