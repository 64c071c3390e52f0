import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/**
 * Two instances of a block (scale-out.md, "Instances"): `PORTS_<NAME>` lists
 * their ports; peer calls go round robin over them, a refused connection
 * moves on to the next instance before it counts for the breaker, and the
 * breaker opens only when every instance is down. Events go to one instance
 * of the subscribing block, the next when one is down.
 */
const PROGRAM = `
server "api" {
  discover "worker" at "http://localhost:3999" {
    threshold: 2
    reset_timeout: 60000
    timeout: 2000
  }

  fn who() {
    { by: worker.whoami() }
  }

  fn notify(text: String) {
    publish("note", { text: text })
    { sent: true }
  }

  route GET "/who" => who
  route POST "/notify" => notify
}

server "worker" {
  env INSTANCE: String = "?"

  fn whoami() -> String { INSTANCE }

  subscribe "note" fn(data) {
    print("note {data.text} at {INSTANCE}")
  }
}
`;

afterAll(async () => {
  await stopAll();
  cleanDirs();
});

describe("two instances of a block", () => {
  it("share the calls, survive one instance going down without a 503, and open the breaker only when both are down", async () => {
    const built = await buildProgram(PROGRAM);
    const key = { TOVA_APP_KEY: randomBytes(32).toString("hex") };
    const w1 = await start(built.file("server", "worker"), { portEnv: "PORT_WORKER", env: { ...key, INSTANCE: "w1" } });
    const w2 = await start(built.file("server", "worker"), { portEnv: "PORT_WORKER", env: { ...key, INSTANCE: "w2" } });
    const api = await start(built.file("server", "api"), { portEnv: "PORT_API", env: { ...key, PORT_WORKER: String(w1.port), PORTS_WORKER: `${w1.port},${w2.port}` } });

    const by = [];
    for (let i = 0; i < 6; i++) by.push((await call(`${api.url}/who`)).body.by);
    expect(by.filter((b) => b === "w1").length).toBe(3);
    expect(by.filter((b) => b === "w2").length).toBe(3);

    // Events: each to one instance of the block.
    for (let i = 0; i < 4; i++) await call(`${api.url}/notify`, { json: { text: `n${i}` } });
    await new Promise((r) => setTimeout(r, 500));
    const notes = (s: { output(): string }) => [...s.output().matchAll(/note (n\d) at/g)].map((m) => m[1]);
    expect([...notes(w1), ...notes(w2)].sort()).toEqual(["n0", "n1", "n2", "n3"]);

    await w1.stop("SIGKILL");
    const after = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(`${api.url}/who`);
      after.push(`${r.status}:${r.body.by}`);
    }
    expect(after).toEqual(Array(6).fill("200:w2"));
    for (let i = 4; i < 6; i++) await call(`${api.url}/notify`, { json: { text: `n${i}` } });
    await new Promise((r) => setTimeout(r, 500));
    expect(notes(w2)).toEqual(expect.arrayContaining(["n4", "n5"]));

    await w2.stop("SIGKILL");
    const down = await call(`${api.url}/who`);
    expect(down.status).toBe(503);
    await call(`${api.url}/who`);
    // Two failures (threshold 2): the breaker is open and answers at once.
    const t0 = Date.now();
    const open = await call(`${api.url}/who`);
    expect(open.status).toBe(503);
    expect(JSON.stringify(open.body)).toContain("circuit open");
    expect(Date.now() - t0).toBeLessThan(100);
  }, 60_000);
});
