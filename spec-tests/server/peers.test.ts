import { afterEach, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/**
 * Calls between server blocks (named-blocks.md, "Circuit Breaker", "Request
 * Tracing") with real processes: a peer that answers, one that is down (503
 * naming it, the caller stays up), the breaker failing fast once open, and
 * recovery when the peer comes back after reset_timeout.
 */
const PROGRAM = `
server "api" {
  discover "worker" at "http://localhost:3999" {
    threshold: 2
    reset_timeout: 1500
    timeout: 2000
  }

  fn hello(name: String) {
    greeting = worker.greet(name)
    { greeting: greeting }
  }

  fn shaky() {
    try {
      worker.flaky()
    } catch err {
      { caught: err.message }
    }
  }

  route GET "/hello/:name" => hello
  route GET "/shaky" => shaky
}

server "worker" {
  fn greet(name: String) -> String {
    "hello {name}"
  }

  fn flaky() {
    print("flaky attempt")
    JSON.parse("always fails")
  }
}
`;

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

describe("peer calls", () => {
  it("reach the peer, carry X-Request-Id, and fail as 503 naming a peer that is down, fast once the breaker opens", async () => {
    const built = await buildProgram(PROGRAM);
    const worker = await start(built.file("server", "worker"), { portEnv: "PORT_WORKER" });
    const api = await start(built.file("server", "api"), { portEnv: "PORT_API", env: { PORT_WORKER: String(worker.port) } });

    const ok = await call(`${api.url}/hello/ada`, { headers: { "X-Request-Id": "trace-me-1" } });
    expect(ok).toMatchObject({ status: 200, body: { greeting: "hello ada" } });
    await new Promise((r) => setTimeout(r, 300));
    expect(worker.output()).toContain("trace-me-1");

    // A peer answering 500 is retried twice (three attempts) before the failure counts; the caller can catch it.
    const shaky = await call(`${api.url}/shaky`);
    expect(shaky.status).toBe(200);
    expect(shaky.body.caught).toContain("worker");
    await new Promise((r) => setTimeout(r, 200));
    expect(worker.output().split("flaky attempt").length - 1).toBe(3);

    await worker.stop();
    const down = await call(`${api.url}/hello/bob`);
    expect(down.status).toBe(503);
    expect(down.body.peer).toBe("worker");
    await call(`${api.url}/hello/bob`); // the second counted failure opens the breaker
    const t0 = performance.now();
    const fast = await call(`${api.url}/hello/bob`);
    const elapsed = performance.now() - t0;
    expect(fast.status).toBe(503);
    expect(fast.body.error).toContain("circuit open");
    expect(elapsed).toBeLessThan(100);
    expect(api.child.exitCode).toBeNull();

    // The peer returns on the same port; after reset_timeout the half-open trial closes the breaker.
    await start(built.file("server", "worker"), { portEnv: "PORT_WORKER", port: worker.port });
    await new Promise((r) => setTimeout(r, 1600));
    expect(await call(`${api.url}/hello/cy`)).toMatchObject({ status: 200, body: { greeting: "hello cy" } });
  }, 60_000);
});

describe("health polling", () => {
  it("a discover's health path is polled: a peer that went down opens the breaker before any call fails", async () => {
    const built = await buildProgram(`
server "api" {
  discover "worker" at "http://localhost:3999" with {
    health: "/healthz",
    failure_threshold: 2,
    reset_timeout: 60.seconds
  }

  fn hello() { worker.greet() }

  async fn timed() {
    started = Date.now()
    try {
      await worker.greet()
    } catch err {
      print("failed: {err.message}")
    }
    Date.now() - started
  }

  route GET "/hello" => hello
  route GET "/timed" => timed
}

server "worker" {
  fn greet() { "hi" }
}
`);
    const worker = await start(built.file("server", "worker"), { portEnv: "PORT_WORKER" });
    const api = await start(built.file("server", "api"), { portEnv: "PORT_API", env: { PORT_WORKER: String(worker.port), TOVA_HEALTH_INTERVAL_MS: "100" } });
    expect((await call(`${api.url}/hello`)).body).toBe("hi");
    await worker.stop();
    await new Promise((r) => setTimeout(r, 800)); // several failed polls, no calls
    const t0 = performance.now();
    const r = await call(`${api.url}/hello`);
    expect(r.status).toBe(503);
    expect(r.body.error).toContain("circuit open");
    expect(performance.now() - t0).toBeLessThan(100);
    // Measured inside the caller: while open, a peer call fails in well under 10 ms, without a request.
    const spent = (await call(`${api.url}/timed`)).body;
    expect(spent).toBeLessThan(10);
    expect(api.output()).toContain("circuit open");
  }, 60_000);
});
