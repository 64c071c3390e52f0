import { describe, expect, it } from "vitest";
import { analyze } from "../ir/pipeline.js";
import { sourcesOf, type Files } from "./helpers.js";

/** decisions.md, "Syntax variants that all must parse": accept every form, lower to one. */
function app(files: Files, basePort?: number) {
  const { app, diagnostics } = analyze(sourcesOf(files), { stem: "main", ...(basePort ? { basePort } : {}) });
  expect(diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return app;
}

const peerOf = (src: string) => {
  const a = app(`server "worker" { fn ping() { 1 } }\nserver "api" {\n${src}\n}`);
  const { span: _s, nameSpan: _n, urlExpr: _u, ...peer } = a.servers.find((s) => s.name === "api")!.peers[0]!;
  return peer;
};

describe("discover: four forms, one peer", () => {
  const forms = [
    `discover "worker" at "http://localhost:3002" { threshold: 3, reset_timeout: 30000, timeout: 10000, half_open_requests: 2, health: "/health" }`,
    `discover "worker" at "http://localhost:3002" with { health: "/health", failure_threshold: 3, reset_timeout: 30.seconds, half_open_requests: 2 }`,
    `discover "worker" { url: "http://localhost:3002", health: "/health", circuit_breaker: { failure_threshold: 3, reset_timeout: 30.seconds, timeout: 10.seconds, half_open_requests: 2 } }`,
    `discover "worker" {\n  url: "http://localhost:3002"\n  health: "/health"\n  circuit_breaker: {\n    failure_threshold: 3,\n    reset_timeout: 0.5.minutes,\n    half_open_requests: 2\n  }\n}`,
  ];
  const expected = {
    name: "worker",
    url: "http://localhost:3002",
    health: "/health",
    breaker: { threshold: 3, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 2 },
  };
  for (const f of forms) it(f.split("\n")[0]!, () => expect(peerOf(f)).toEqual(expected));

  it("the bare `at` form takes the spec's defaults", () => {
    expect(peerOf(`discover "worker" at "http://localhost:3002"`).breaker).toEqual({ threshold: 5, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 1 });
  });
});

describe("schedule: three forms", () => {
  it("keeps the expression and the name of each", () => {
    const a = app(`server {
  schedule "*/5 * * * *" fn cleanup() { print("a") }
  schedule "*/30 * * * * *" fn() { print("b") }
  schedule "report" cron("0 * * * *") { print("c") }
}`);
    expect(a.servers[0]!.schedules.map((s) => [s.name, s.cron])).toEqual([
      ["cleanup", "*/5 * * * *"],
      [null, "*/30 * * * * *"],
      ["report", "0 * * * *"],
    ]);
  });
});

describe("lifecycle hooks, ports, db", () => {
  it("`on_start fn() { }` and `on_start { }` are one hook form", () => {
    const a = app(`server {\n  on_start fn() { print("a") }\n  on_stop { print("b") }\n}`);
    expect(a.servers[0]!.hooks.map((h) => [h.hook, h.handler.params.length, h.handler.body.kind])).toEqual([
      ["on_start", 0, "Block"],
      ["on_stop", 0, "Block"],
    ]);
  });

  it("`port 3001` and `env PORT: Int = 3001` claim the same port", () => {
    expect(app(`server "a" { port 3001 }\nserver "b" { }`).servers.map((s) => s.port)).toEqual([3001, 3000]);
    expect(app(`server "a" { env PORT: Int = 3001 }\nserver "b" { }`).servers.map((s) => s.port)).toEqual([3001, 3000]);
  });

  it("every SQLite form names its file", () => {
    const dbs = (src: string) => app(`server { ${src} }`).servers[0]!.dbs.map((d) => [d.adapter, d.path]);
    expect(dbs(`db { adapter: "sqlite", database: "app.db" }`)).toEqual([["sqlite", "app.db"]]);
    expect(dbs(`db { path: "./data.db" }`)).toEqual([["sqlite", "./data.db"]]);
    expect(dbs(`db { type: "postgres" }`)).toEqual([["postgres", null]]);
    expect(dbs(`db { adapter: "postgres", url: env("DATABASE_URL"), pool: 20 }`)).toEqual([["postgres", null]]);
    expect(dbs(`db { type: "redis" }`)).toEqual([["redis", null]]);
  });
});

describe("desugaring", () => {
  const body = (src: string) => {
    const a = app(`${src}`);
    return JSON.stringify(a.shared.bindings.at(-1)!.value, (k, v) => (k === "span" || k.endsWith("Span") ? undefined : v));
  };
  it("`30.seconds` and `30000` are the same number", () => {
    expect(JSON.parse(body(`x = 30.seconds`)).value).toBe(30000);
    expect(JSON.parse(body(`x = 5.megabytes`)).value).toBe(5 * 1024 * 1024);
  });
  it("a pipe is a call with the left side first, and `!` ends the stage", () => {
    expect(body(`xs = [1]\ny = xs |> take(2)`)).toBe(body(`xs = [1]\ny = take(xs, 2)`));
    const a = app(`fn f(o) { o |> ok_or("missing")! }`);
    const last = a.shared.fns[0]!.body.stmts[0]!;
    expect(last.kind === "ExprStmt" && last.expr.kind).toBe("Propagate");
  });
  it("an operator after a pipe stage applies to the stage's result", () => {
    expect(body(`values = [1.0]\navg = values |> sum() / (values |> len() |> to_float())`)).toBe(
      body(`values = [1.0]\navg = sum(values) / to_float(len(values))`),
    );
  });
});

describe("deploy server: one host or a list (scale-out.md, \"Several hosts\")", () => {
  const deployOf = (server: string, rest = "") => app(`server {\n  fn f() { 1 }\n}\ndeploy "prod" {\n  server: ${server}\n  domain: "d.com"\n${rest}}\n`).deploys[0]!;
  const infraOf = (server: string, rest = "", block = 'server {\n  db { adapter: "postgres" }\n  fn f() { 1 }\n}') =>
    analyze(sourcesOf(`${block}\ndeploy "prod" {\n  server: ${server}\n  domain: "d.com"\n${rest}}\n`), { stem: "main" }).app.infrastructure[0]!;

  it("a string is one host; a list keeps its order", () => {
    expect(deployOf('"root@web1"').servers).toEqual(["root@web1"]);
    expect(deployOf('["root@web2", "root@web1"]').servers).toEqual(["root@web2", "root@web1"]);
  });

  it("one host keeps its databases on the host; several share them, external (required secrets) or on a database host (provided)", () => {
    const one = infraOf('"root@web1"');
    expect(one.databases.postgres).toEqual({ database: "main_db", user: "tova_main", port: 5432 });
    expect(one.databases.redis).toBeNull();
    expect(one.secrets).toEqual([]);
    const two = infraOf('["root@web1", "root@web2"]');
    expect(two.databases.postgres).toEqual({ database: "main_db", user: "tova_main", port: 5432, external: true });
    expect(two.databases.redis).toEqual({ maxmemory: null, external: true });
    expect(two.secrets).toEqual(["DATABASE_URL", "REDIS_URL"]);
    const hosted = infraOf('["root@web1", "root@web2"]', '  db {\n    postgres { host: "root@db1" }\n    redis { host: "root@db1", port: 6380 }\n  }\n');
    expect(hosted.databases.postgres).toEqual({ database: "main_db", user: "tova_main", port: 5432, host: "root@db1" });
    expect(hosted.databases.redis).toEqual({ maxmemory: null, host: "root@db1", port: 6380 });
    expect(hosted.secrets).toEqual([]);
    // Without PostgreSQL in the program, only REDIS_URL is required.
    expect(infraOf('["root@web1", "root@web2"]', "", "server {\n  fn f() { 1 }\n}").secrets).toEqual(["REDIS_URL"]);
  });
});
