import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { compile } from "../../compile.js";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/**
 * scaling.md "Data Layer Scaling": sources loaded at start, derived bindings
 * computed once and recomputed only when a source they read refreshes, a
 * failed refresh keeping every value, a `stream` pipeline at the top level
 * run (and awaited) before the server answers, `write` / `read` with CSV and
 * JSON, appending.
 */

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

const PROGRAM = `
data {
  source sales = read("sales.csv")
  source regions = read("regions.json")
  active = sales |> where(.active == true)
  total = active |> map(fn(r) r.amount) |> sum()
  fn label(r) { "{r.region}:{r.amount}" }
  labels = active |> map(label)
  region_count = regions |> len()
  refresh sales every 300.milliseconds
}

stream("sales.csv", batch: 2)
  |> each(fn(batch) {
    cleaned = batch |> where(.active == true)
    write(cleaned, "active.csv", append: true)
    write(cleaned, "active.json", append: true)
  })

server {
  fn stats() { { total: total, labels: labels, regions: region_count } }
  fn copied() { { csv: read("active.csv") |> len(), json: read("active.json") |> map(fn(r) r.id) } }
  route GET "/stats" => stats
  route GET "/copied" => copied
}
`;

const SALES = "id,region,amount,active\n1,north,10,true\n2,south,20,false\n3,north,5,true\n";

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function running() {
  const built = await buildProgram(PROGRAM);
  writeFileSync(path.join(built.dir, "sales.csv"), SALES);
  writeFileSync(path.join(built.dir, "regions.json"), JSON.stringify([{ name: "north" }, { name: "south" }]));
  const s = await start(built.file("server"));
  const stats = async () => (await call(`${s.url}/stats`)).body;
  return { built, s, stats, file: (f: string) => path.join(built.dir, f) };
}

describe("the data block", () => {
  it("computes derived bindings at start and recomputes those reading a source when it refreshes, and only those", async () => {
    const { stats, file } = await running();
    expect(await stats()).toEqual({ total: 15, labels: ["north:10", "north:5"], regions: 2 });
    // `regions` has no refresh: a changed file is not read again, even when `sales` refreshes.
    writeFileSync(file("regions.json"), JSON.stringify([{ name: "east" }]));
    writeFileSync(file("sales.csv"), SALES + "4,east,100,true\n");
    const after = await until(stats, (v) => v.total === 115);
    expect(after).toEqual({ total: 115, labels: ["north:10", "north:5", "east:100"], regions: 2 });
  });

  it("keeps every value when a refresh fails, logs the failure once, and takes the next good file", async () => {
    const { s, stats, file } = await running();
    writeFileSync(file("sales.csv"), 'id,region,amount,active\n1,north,"never closed\n');
    await until(async () => s.output(), (o) => o.includes("data refresh failed"));
    await new Promise((r) => setTimeout(r, 900)); // three more intervals of the same failure
    expect(await stats()).toEqual({ total: 15, labels: ["north:10", "north:5"], regions: 2 });
    expect(s.output().split("data refresh failed").length - 1).toBe(1);
    expect(s.output()).toContain('"source":"sales"');
    rmSync(file("sales.csv"));
    await until(async () => s.output(), (o) => o.includes("ENOENT"));
    expect(await stats()).toMatchObject({ total: 15 });
    writeFileSync(file("sales.csv"), "id,region,amount,active\n9,west,1,true\n");
    expect(await until(stats, (v) => v.total === 1)).toEqual({ total: 1, labels: ["west:1"], regions: 2 });
    // Log lines are buffered: the recovery's line follows shortly.
    expect(await until(async () => s.output(), (o) => o.includes("data source refreshed again"))).toContain("data source refreshed again");
  });

  it("runs a top-level stream pipeline to its end before the server answers, appending CSV and JSON batch by batch", async () => {
    const { s, file } = await running();
    // Two batches of two rows: the CSV header is written once, the JSON array grows.
    const csv = readFileSync(file("active.csv"), "utf8");
    expect(csv.trim().split("\n")).toEqual(["id,region,amount,active", "1,north,10,true", "3,north,5,true"]);
    expect(JSON.parse(readFileSync(file("active.json"), "utf8")).map((r: { id: number }) => r.id)).toEqual([1, 3]);
    expect((await call(`${s.url}/copied`)).body).toEqual({ csv: 2, json: [1, 3] });
  });

  it("stops at start naming a source that cannot be loaded", async () => {
    const built = await buildProgram(PROGRAM);
    writeFileSync(path.join(built.dir, "sales.csv"), SALES);
    const s = await start(built.file("server"), { waitForHealth: false });
    const { code } = await s.exited;
    expect(code).not.toBe(0);
    expect(s.output()).toMatch(/regions\.json/);
    expect(s.output()).not.toMatch(/\n\s+at /); // one message, no stack trace
  });
});

describe("statements outside every block", () => {
  it("warn when more than one server process would run them", () => {
    const source = `print("seeding")\nserver "a" { fn f() { 1 } }\nserver "b" { fn g() { 2 } }\n`;
    const result = compile([{ path: "app.tova", text: source }], { stem: "app", emit: ["ts"] });
    const w = result.diagnostics.find((d) => d.code === "W0003");
    expect(w?.message).toContain('"a", "b"');
    expect(w?.span.start).toBe(0);
    const one = compile([{ path: "app.tova", text: `print("seeding")\nserver { fn f() { 1 } }\n` }], { stem: "app", emit: ["ts"] });
    expect(one.diagnostics.filter((d) => d.code === "W0003")).toEqual([]);
    expect(one.modules.find((m) => m.kind === "server")!.code).toContain('import "./app.shared.js"');
  });
});
