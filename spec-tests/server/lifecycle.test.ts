import { afterEach, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/** Middleware, on_start / on_stop / on_error, and env, against real processes. */

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

describe("middleware", () => {
  it("runs in declaration order, can set headers and req.id, and can answer early", async () => {
    const built = await buildProgram(`
server {
  middleware fn first(req, res) {
    res.setHeader("X-Order", "first")
    req.id = "custom-{req.path}"
  }

  middleware fn second(req, res) {
    res.setHeader("X-Second", "yes")
    if req.path == "/blocked" {
      res.status(403)
      res.json({ error: "blocked by middleware" })
    }
  }

  fn who(req, res) {
    res.json({ id: req.id })
  }

  fn blocked() {
    { reached: true }
  }

  route GET "/who" => who
  route GET "/blocked" => blocked
}
`);
    const s = await start(built.file("server"));
    const who = await call(`${s.url}/who`);
    expect(who.body).toEqual({ id: "custom-/who" });
    expect(who.headers.get("x-order")).toBe("first");
    expect(who.headers.get("x-second")).toBe("yes");
    const blocked = await call(`${s.url}/blocked`);
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({ error: "blocked by middleware" });
  }, 60_000);
});

describe("on_error", () => {
  it("answers with the handler's res.status(...) and res.json(...)", async () => {
    const built = await buildProgram(`
server {
  fn boom() {
    JSON.parse("not json")
  }

  on_error fn(err, req, res) {
    res.status(500)
    res.json({ error: "handled", path: req.path })
  }

  route GET "/boom" => boom
}
`);
    const s = await start(built.file("server"));
    const r = await call(`${s.url}/boom`);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: "handled", path: "/boom" });
  }, 60_000);

  it("without on_error a thrown error is a 500 JSON without a stack trace", async () => {
    const built = await buildProgram(`
server {
  fn boom() {
    JSON.parse("not json")
  }
  route GET "/boom" => boom
}
`);
    const s = await start(built.file("server"));
    const r = await call(`${s.url}/boom`);
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.js/);
  }, 60_000);
});

describe("on_start and on_stop", () => {
  it("on_start runs before serving; SIGTERM lets an in-flight request finish, then runs on_stop", async () => {
    const built = await buildProgram(`
server {
  on_start {
    print("started up")
  }

  on_stop fn() {
    print("stopping now")
  }

  async fn slow() {
    await sleep(700)
    { done: true }
  }

  route GET "/slow" => slow
}
`);
    const s = await start(built.file("server"));
    expect(s.output()).toContain("started up");
    const inFlight = call(`${s.url}/slow`);
    await new Promise((r) => setTimeout(r, 150));
    s.child.kill("SIGTERM");
    const r = await inFlight;
    expect(r).toMatchObject({ status: 200, body: { done: true } });
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(s.output()).toContain("stopping now");
    expect(s.output().indexOf("stopping now")).toBeGreaterThan(s.output().indexOf("started up"));
  }, 60_000);
});

describe("env", () => {
  const PROGRAM = `
server {
  env API_KEY: String
  env DATABASE_URL: String
  env WORKERS: Int = 4
  env DEBUG: Bool = false
  env REGION: Option<String> = None

  fn config() {
    { workers: WORKERS, debug: DEBUG, region: REGION, key: API_KEY }
  }

  route GET "/config" => config
}
`;

  it("every missing required variable is named in one start-up error, and the process exits non-zero", async () => {
    const built = await buildProgram(PROGRAM);
    const s = await start(built.file("server"), { waitForHealth: false });
    const exit = await s.exited;
    expect(exit.code).not.toBe(0);
    expect(s.output()).toMatch(/API_KEY/);
    expect(s.output()).toMatch(/DATABASE_URL/);
    expect(s.output()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("parses typed values and applies defaults", async () => {
    const built = await buildProgram(PROGRAM);
    const s = await start(built.file("server"), { env: { API_KEY: "k", DATABASE_URL: "postgres://x", WORKERS: "8" } });
    expect((await call(`${s.url}/config`)).body).toEqual({ workers: 8, debug: false, region: null, key: "k" });
  }, 60_000);
});
