// Models on a real SQLite file, through the bundled runtime under Bun: the
// accessor API, filters, Bool round trips, bound parameters, persistence
// across processes, and columns added for new fields.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBun, stopAll, workspace, writeProgram } from "../testing/bun-process.js";

let dir: string;
beforeAll(() => {
  dir = workspace();
});
afterAll(stopAll);

/** Runs `body` (which may use db, t, model, delete_all, out) under Bun and answers what it put in `out`. */
async function run(name: string, body: string): Promise<any> {
  const file = writeProgram(
    dir,
    `${name}.ts`,
    `import { sqlite, model, delete_all } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
const db = sqlite("metrics.db");
const out: Record<string, unknown> = {};
const attempt = (f: () => unknown) => { try { return f(); } catch (e) { return "error: " + (e as Error).message; } };
${body}
console.log(JSON.stringify(out));`,
  );
  const r = await runBun(file);
  if (r.code !== 0) throw new Error(`${name} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

const METRIC = `const Metric = model(db, "MetricRecord", { service: t.string, name: t.string, value: t.float, timestamp: t.string, tags: t.array(t.string) });
const Alert = model(db, "AlertRecord", { service: t.string, severity: t.string, resolved: t.bool, count: t.option(t.int) });`;

describe("models on SQLite", () => {
  it("create, find, all, update, delete, count", async () => {
    const out = await run(
      "crud",
      `${METRIC}
out.created = Metric.create({ service: "api", name: "latency", value: 12.5, timestamp: "1", tags: ["a", "b"] });
out.second = Metric.create({ service: "auth", name: "latency", value: 7, timestamp: "2", tags: [] });
out.found = Metric.find(out.created.id);
out.missing = Metric.find(999);
out.updated = Metric.update(out.second.id, { value: 8.25 });
out.updateMissing = Metric.update(999, { value: 1 });
out.count = Metric.count();
out.deleted = Metric.delete(out.created.id);
out.deletedAgain = Metric.delete(out.created.id);
out.all = Metric.all();
out.unknownField = attempt(() => Metric.create({ service: "x", colour: "red" }));`,
    );
    expect(out.created).toEqual({ id: 1, service: "api", name: "latency", value: 12.5, timestamp: "1", tags: ["a", "b"] });
    expect(out.found).toEqual(out.created);
    expect(out.missing).toBeNull();
    expect(out.updated).toMatchObject({ id: 2, value: 8.25, tags: [] });
    expect(out.updateMissing).toBeNull();
    expect(out.count).toBe(2);
    expect([out.deleted, out.deletedAgain]).toEqual([true, false]);
    expect(out.all.map((r: any) => r.id)).toEqual([2]);
    expect(out.unknownField).toMatch(/MetricRecord.create: unknown field "colour"/);
    expect(existsSync(path.join(dir, "metrics.db"))).toBe(true);
  });

  it("filters with equality and the _lt _lte _gt _gte _ne _in _like suffixes", async () => {
    const out = await run(
      "filters",
      `${METRIC}
out.cleared = Metric.delete_all(); // the row the previous test left
for (const [service, value, timestamp] of [["api", 10, 1000], ["api", 20, 2000], ["auth", 30, 3000], ["db", 40, 4000]])
  Metric.create({ service, name: "latency", value, timestamp: String(timestamp), tags: [] });
const ids = (rows: { value: number }[]) => rows.map((r) => r.value);
out.eq = ids(Metric.where({ service: "api" }));
out.two = ids(Metric.where({ service: "api", value_gt: 15 }));
out.lt = ids(Metric.where({ value_lt: 20 }));
out.lte = ids(Metric.where({ value_lte: 20 }));
out.gte = ids(Metric.where({ value_gte: 30 }));
out.ne = ids(Metric.where({ service_ne: "api" }));
out.in = ids(Metric.where({ service_in: ["auth", "db"] }));
out.inEmpty = ids(Metric.where({ service_in: [] }));
out.like = ids(Metric.where({ service_like: "a%" }));
out.count = Metric.count({ service: "api" });
out.first = Metric.first({ service_ne: "api" });
out.unknown = attempt(() => Metric.where({ colour: "red" }));
out.unknownSuffix = attempt(() => Metric.where({ value_between: [1, 2] }));
out.inNotArray = attempt(() => Metric.where({ service_in: "api" }));`,
    );
    expect(out).toMatchObject({
      cleared: 1, eq: [10, 20], two: [20], lt: [10], lte: [10, 20], gte: [30, 40], ne: [30, 40], in: [30, 40], inEmpty: [], like: [10, 20, 30], count: 2,
    });
    expect(out.first).toMatchObject({ service: "auth", value: 30 });
    expect(out.unknown).toMatch(/MetricRecord.where: unknown filter key "colour"/);
    expect(out.unknownSuffix).toMatch(/unknown filter key "value_between"/);
    expect(out.inNotArray).toMatch(/"service_in" needs an array/);
  });

  it("stores Bool as 0/1 and reads it back as true/false, also in filters", async () => {
    const out = await run(
      "bools",
      `${METRIC}
Alert.create({ service: "api", severity: "Warning", resolved: false });
Alert.create({ service: "auth", severity: "Critical", resolved: true, count: 3 });
out.all = Alert.all();
out.open = Alert.where({ resolved: false }).map((a) => a.service);
out.resolved = Alert.update(1, { resolved: true });
out.raw = (db as any).path;`,
    );
    expect(out.all).toEqual([
      { id: 1, service: "api", severity: "Warning", resolved: false, count: null },
      { id: 2, service: "auth", severity: "Critical", resolved: true, count: 3 },
    ]);
    expect(out.open).toEqual(["api"]);
    expect(out.resolved.resolved).toBe(true);
  });

  it("binds values as parameters: an injection attempt finds nothing and breaks nothing", async () => {
    const out = await run(
      "injection",
      `${METRIC}
const attack = "x' OR 1=1 --";
out.where = Alert.where({ service: attack });
out.like = Alert.where({ service_like: attack });
out.count = Alert.count({ severity_in: [attack, "'); DROP TABLE AlertRecord; --"] });
out.created = Alert.create({ service: attack, severity: "Info", resolved: false }).service;
out.found = Alert.where({ service: attack }).length;
out.total = Alert.count();`,
    );
    expect(out.where).toEqual([]);
    expect(out.like).toEqual([]);
    expect(out.count).toBe(0);
    expect(out.created).toBe("x' OR 1=1 --");
    expect(out.found).toBe(1);
    expect(out.total).toBe(3); // the two rows of the previous test are intact
  });

  it("keeps data across a process restart, and adds a column for a new field", async () => {
    const out = await run(
      "restart",
      `const Alert = model(db, "AlertRecord", { service: t.string, severity: t.string, resolved: t.bool, count: t.option(t.int), owner: t.option(t.string) });
out.before = Alert.count();
out.firstRow = Alert.find(1);
out.created = Alert.create({ service: "new", severity: "Info", resolved: false, owner: "ops" });`,
    );
    expect(out.before).toBe(3);
    expect(out.firstRow).toEqual({ id: 1, service: "api", severity: "Warning", resolved: true, count: null, owner: null });
    expect(out.created).toMatchObject({ id: 4, owner: "ops" });
  });

  it("stores what it is given in a String field (Date.now()) and compares it, as the monitoring example does", async () => {
    const out = await run(
      "lenient",
      `const Sample = model(db, "Sample", { service: t.string, timestamp: t.string });
const now = 1_700_000_000_000;
Sample.create({ service: "old", timestamp: now - 25 * 3600 * 1000 });
Sample.create({ service: "new", timestamp: now });
const cutoff = now - 24 * 3600 * 1000;
out.old = Sample.where({ timestamp_lt: cutoff }).map((s) => s.service);
out.deleted = delete_all(Sample.where({ timestamp_lt: cutoff }));
out.left = Sample.all().map((s) => s.service);
out.sorted = Sample.all().sort((a: any, b: any) => b.timestamp - a.timestamp).map((s) => s.service);
out.notFromWhere = attempt(() => delete_all([{ id: 1 }]));
out.empty = delete_all([]);`,
    );
    expect(out.old).toEqual(["old"]);
    expect(out.deleted).toBe(1);
    expect(out.left).toEqual(["new"]);
    expect(out.sorted).toEqual(["new"]);
    expect(out.notFromWhere).toMatch(/delete_all\(rows\): pass the rows/);
    expect(out.empty).toBe(0);
  });

  it("opens the database in WAL mode, once per process", async () => {
    const out = await run(
      "wal",
      `import { Database } from "bun:sqlite";
out.same = sqlite("metrics.db") === db;
const check = new Database("metrics.db");
out.mode = (check.query("PRAGMA journal_mode").get() as any).journal_mode;`,
    );
    expect(out).toEqual({ same: true, mode: "wal" });
  });
});
