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

const RESULTS = `
server "a" {
  fn half(n: Int) -> Result<Int, String> {
    if n % 2 == 0 { Ok(n * 10) } else { Err("odd") }
  }
  fn refuse(n: Int) -> Result<Int, Unavailable> {
    Err(Unavailable { status: 503, reason: "busy {n}" })
  }
}

type Unavailable { status: Int, reason: String }

server "b" {
  discover "a" at "http://localhost:3999"
  fn try_half(n: Int) -> String {
    match a.half(n) {
      Ok(v) => "got {v}"
      Err(e) => "failed: {e}"
    }
  }
  fn try_refuse(n: Int) -> String {
    match a.refuse(n) {
      Ok(v) => "got {v}"
      Err(e) => "refused: {e.reason}"
    }
  }
  route GET "/half/:n" => try_half
  route GET "/refuse/:n" => try_refuse
}
`;

describe("a peer function that returns a Result", () => {
  it("gives the caller its Ok or its Err, whatever status the Err chose; a bad argument still fails the call", async () => {
    const built = await buildProgram(RESULTS);
    const a = await start(built.file("server", "a"), { portEnv: "PORT_A" });
    const b = await start(built.file("server", "b"), { portEnv: "PORT_B", env: { PORT_A: String(a.port) } });
    expect(await call(`${b.url}/half/4`)).toMatchObject({ status: 200, body: "got 40" });
    expect(await call(`${b.url}/half/3`)).toMatchObject({ status: 200, body: "failed: odd" });
    // Five 503 Errs in a row are answers, not failures: the breaker stays closed.
    for (let i = 0; i < 6; i++) expect(await call(`${b.url}/refuse/${i}`)).toMatchObject({ status: 200, body: `refused: busy ${i}` });
    expect(await call(`${b.url}/half/4`)).toMatchObject({ status: 200, body: "got 40" });
    // Not a Result: a malformed call to the peer is refused, as before.
    const direct = await call(`${a.url}/rpc/half`, { json: { __args: ["x"] } });
    expect(direct.status).toBe(400);
    expect(direct.headers.get("x-tova-result")).toBeNull();
  });
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
