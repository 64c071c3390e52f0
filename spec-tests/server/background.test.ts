import path from "node:path";
import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/** Schedules, background jobs, SSE and the client page, against real processes. */

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("schedules and jobs", () => {
  it("a six-field schedule runs every second; a run that throws does not stop later runs", async () => {
    const built = await buildProgram(`
server {
  var ticks = 0
  var failures = 0

  schedule "* * * * * *" fn tick() {
    ticks += 1
  }

  schedule "flaky" cron("* * * * * *") {
    failures += 1
    JSON.parse("not json")
  }

  fn counts() { { ticks: ticks, failures: failures } }
}
`);
    const s = await start(built.file("server"));
    await sleep(3200);
    const { body } = await call(`${s.url}/rpc/counts`, { json: { __args: [] } });
    expect(body.result.ticks).toBeGreaterThanOrEqual(2);
    expect(body.result.failures).toBeGreaterThanOrEqual(2);
    expect(s.output()).toContain("scheduled run failed");
  }, 30_000);

  it("spawn_job returns at once; a job that throws is retried until it succeeds", async () => {
    const built = await buildProgram(`
server {
  var attempts = 0
  var done = []

  background fn work(label: String) {
    attempts += 1
    if attempts < 3 {
      JSON.parse("fails on the first two attempts")
    }
    done = [...done, label]
  }

  fn enqueue(label: String) {
    spawn_job(work, label)
    { queued: label, done_yet: len(done) }
  }

  fn status() { { attempts: attempts, done: done } }
}
`);
    const s = await start(built.file("server"));
    const queued = await call(`${s.url}/rpc/enqueue`, { json: { __args: ["report"] } });
    expect(queued.body.result).toEqual({ queued: "report", done_yet: 0 });
    let status: any;
    for (let i = 0; i < 40; i++) {
      status = (await call(`${s.url}/rpc/status`, { json: { __args: [] } })).body.result;
      if (status.done.length) break;
      await sleep(100);
    }
    expect(status).toEqual({ attempts: 3, done: ["report"] });
    expect(s.output()).toContain("job failed; retrying");
  }, 30_000);
});

describe("jobs at shutdown", () => {
  it("SIGTERM waits for a running job before on_stop", async () => {
    const built = await buildProgram(`
server {
  background fn slow_job() {
    await sleep(500)
    print("job finished")
  }

  fn start_job() {
    spawn_job(slow_job)
    "started"
  }

  on_stop {
    print("on_stop ran")
  }
}
`);
    const s = await start(built.file("server"));
    expect((await call(`${s.url}/rpc/start_job`, { json: { __args: [] } })).body.result).toBe("started");
    s.child.kill("SIGTERM");
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    const out = s.output();
    expect(out).toContain("job finished");
    expect(out.indexOf("job finished")).toBeLessThan(out.indexOf("on_stop ran"));
  }, 30_000);
});

describe("SSE and broadcast", () => {
  it("an SSE stream gets what the handler sends and what broadcast sends", async () => {
    const built = await buildProgram(`
server {
  sse "/events" fn(send, close) {
    send("hello", { n: 1 })
  }

  fn announce(text: String) {
    broadcast("news", { text: text })
  }
}
`);
    const s = await start(built.file("server"));
    const res = await fetch(`${s.url}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const read = async (until: string) => {
      while (!text.includes(until)) text += decoder.decode((await reader.read()).value);
    };
    await read('data: {"n":1}');
    expect(text).toContain("event: hello");
    await call(`${s.url}/rpc/announce`, { json: { __args: ["shipped"] } });
    await read("shipped");
    expect(text).toContain("event: news");
    await reader.cancel();
  }, 30_000);
});

describe("the client block", () => {
  it("is served by the default server: / loads the compiled client module, whose imports are served too", async () => {
    const built = await buildProgram(`
server {
  fn greeting() { "hi" }
}

client {
  state message = ""
  effect { message = server.greeting() }
  component App {
    <p>{message}</p>
  }
}
`);
    const s = await start(built.file("server"));
    const page = await fetch(`${s.url}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="/app.client.js">');
    const client = await fetch(`${s.url}/app.client.js`);
    expect(client.headers.get("content-type")).toContain("javascript");
    const code = await client.text();
    expect(code).toContain("rpcClient");
    expect((await fetch(`${s.url}/runtime/client.js`)).status).toBe(200);
    expect((await fetch(`${s.url}/../package.json`)).status).toBe(404);
    // The server's own module is never sent to a browser.
    expect((await fetch(`${s.url}/app.server.js`)).status).toBe(404);
    // Nor are source maps, which hold the program's whole .tova text (tova build writes them beside each module).
    for (const map of ["app.client.js.map", "app.shared.js.map", "app.server.js.map"]) {
      writeFileSync(path.join(built.dir, map), '{"version":3,"sourcesContent":["secret"]}');
      expect((await fetch(`${s.url}/${map}`)).status).toBe(404);
    }
  }, 30_000);
});
