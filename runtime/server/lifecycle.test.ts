// Start-up and shutdown of a real Bun server: env loading, on_start order,
// the port override, and graceful SIGTERM with a request in flight.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, runBun, startServer, stopAll, workspace, writeProgram } from "../testing/bun-process.js";

let dir: string;
beforeAll(() => {
  dir = workspace();
});
afterAll(stopAll);

const ENV_PROGRAM = `
import { loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
const env = loadEnv({
  DATABASE_URL: { type: t.string },
  API_KEY: { type: t.string },
  POLL_INTERVAL_SEC: { type: t.int, default: 30 },
  FEATURE_FLAG: { type: t.bool, default: false },
  ALERT_WEBHOOK: { type: t.option(t.string), default: null },
  RATIO: { type: t.option(t.float) },
  ORIGINS: { type: t.array(t.string), default: [] },
});
console.log(JSON.stringify(env));
`;

describe("loadEnv", () => {
  const clean = { DATABASE_URL: undefined, API_KEY: undefined, POLL_INTERVAL_SEC: undefined, FEATURE_FLAG: undefined, ALERT_WEBHOOK: undefined, RATIO: undefined, ORIGINS: undefined };

  it("names every missing variable in one error and exits 1", async () => {
    const r = await runBun(writeProgram(dir, "env-missing.ts", ENV_PROGRAM), clean);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("tova: missing environment variables: DATABASE_URL, API_KEY");
    expect(r.stdout).toBe("");
  });

  it("reports malformed values together with missing ones", async () => {
    const r = await runBun(writeProgram(dir, "env-bad.ts", ENV_PROGRAM), { ...clean, DATABASE_URL: "x", POLL_INTERVAL_SEC: "soon", FEATURE_FLAG: "maybe" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      'tova: missing environment variable: API_KEY; malformed environment variables: POLL_INTERVAL_SEC (expected Int, got "soon"), FEATURE_FLAG (expected Bool, got "maybe")',
    ]);
  });

  it("converts values, applies defaults, and gives None for unset Options", async () => {
    const r = await runBun(writeProgram(dir, "env-ok.ts", ENV_PROGRAM), {
      ...clean, DATABASE_URL: "postgres://db", API_KEY: "k", POLL_INTERVAL_SEC: "5", FEATURE_FLAG: "true", RATIO: "0.5", ORIGINS: "a.com, b.com",
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      DATABASE_URL: "postgres://db", API_KEY: "k", POLL_INTERVAL_SEC: 5, FEATURE_FLAG: true, ALERT_WEBHOOK: null, RATIO: 0.5, ORIGINS: ["a.com", "b.com"],
    });
  });
});

const SERVER = `
import { createApp } from "./runtime/server.js";
import { sleep } from "./runtime/stdlib.js";
const app = createApp({ name: "collector", port: 3999, portEnv: "PORT_COLLECTOR" });
app.onStart(async () => { await sleep(30); console.log("[start] one"); });
app.onStart(() => console.log("[start] two"));
app.onStop(async () => { await sleep(30); console.log("[stop] flushing"); });
app.route("GET", "/slow", async () => { await sleep(700); return { slow: true }; }, []);
const server = Bun.serve(await app.start());
app.stopOnSignals(server);
`;

describe("start and stop", () => {
  it("runs on_start hooks in order before listening, on the port PORT_<NAME> names", async () => {
    const server = await startServer(writeProgram(dir, "hooks.ts", SERVER), {}, "PORT_COLLECTOR");
    const out = server.output().stdout;
    expect(out.indexOf("[start] one")).toBeLessThan(out.indexOf("[start] two"));
    expect(out.indexOf("[start] two")).toBeLessThan(out.indexOf('"msg":"listening"'));
    expect(server.url).not.toMatch(/:3999$/);
    server.child.kill("SIGKILL");
  });

  it("on SIGTERM lets the in-flight request finish, then runs on_stop and exits 0", async () => {
    const server = await startServer(writeProgram(dir, "graceful.ts", SERVER), {}, "PORT_COLLECTOR");
    const inFlight = fetch(server.url + "/slow").then(async (r) => ({ status: r.status, body: await r.json(), at: Date.now() }));
    await new Promise((r) => setTimeout(r, 150));
    server.child.kill("SIGTERM");
    const [answer, finished] = await Promise.all([inFlight, server.exited]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ slow: true });
    expect(finished.code).toBe(0);
    const out = finished.stdout;
    const lines = logLines(out);
    const order = lines.map((l) => l.msg).filter((m) => m === "stopping" || m === "request" || m === "stopped");
    expect(order).toEqual(["stopping", "request", "stopped"]);
    expect(lines.find((l) => l.msg === "stopping")).toMatchObject({ signal: "SIGTERM", inflight: 1 });
    // on_stop ran after the request was answered and before the process said it stopped.
    expect(out.indexOf('"path":"/slow"')).toBeLessThan(out.indexOf("[stop] flushing"));
    expect(out.indexOf("[stop] flushing")).toBeLessThan(out.indexOf('"msg":"stopped"'));
  });

  it("refuses connections once stopping", async () => {
    const server = await startServer(writeProgram(dir, "refuse.ts", SERVER), {}, "PORT_COLLECTOR");
    const slow = fetch(server.url + "/slow").catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(server.url + "/healthz")).rejects.toThrow();
    await slow;
    expect((await server.exited).code).toBe(0);
  });

  it("exits 1 naming the variable when the port override is not a port", async () => {
    const r = await runBun(writeProgram(dir, "badport.ts", SERVER), { PORT_COLLECTOR: "http" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tova: PORT_COLLECTOR must be a port number (0-65535), got "http"');
  });
});
