// The model API's contract (decisions.md "Models"; issue 11), run unchanged
// on SQLite and on a real PostgreSQL: create, find, all, where with every
// filter suffix, update, delete, count, delete_all, Bool and Float round
// trips, Option fields as NULL, bound parameters, a restart that adds a
// column, a changed column type refused at start, and concurrent writes.
// Each engine's tests share one database and run in order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEngines, ENGINE_NAMES, openEngine, runModels, type TestEngine } from "../testing/engines.js";
import { runBun, stopAll, workspace, writeProgram } from "../testing/bun-process.js";

let dir: string;
beforeAll(() => {
  dir = workspace();
});
afterAll(() => {
  stopAll();
  closeEngines();
});

const METRIC = `const Metric = await model(db, "MetricRecord", "metric_records", { service: t.string, name: t.string, value: t.float, timestamp: t.string, tags: t.array(t.string) });
const Alert = await model(db, "AlertRecord", "alert_records", { service: t.string, severity: t.string, resolved: t.bool, count: t.option(t.int) });`;

describe.each(ENGINE_NAMES)("models on %s", (name) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await openEngine(name);
  });
  const run = (stem: string, body: string) => runModels(dir, engine, `${stem}-${name}`, body);

  it("create, find, all, update, delete, count", async () => {
    const out = await run(
      "crud",
      `${METRIC}
out.created = await Metric.create({ service: "api", name: "latency", value: 12.5, timestamp: "1", tags: ["a", "b"] });
out.second = await Metric.create({ service: "auth", name: "latency", value: 7, timestamp: "2", tags: [] });
out.found = await Metric.find(out.created.id);
out.missing = await Metric.find(999);
out.updated = await Metric.update(out.second.id, { value: 8.25 });
out.updateMissing = await Metric.update(999, { value: 1 });
out.count = await Metric.count();
out.deleted = await Metric.delete(out.created.id);
out.deletedAgain = await Metric.delete(out.created.id);
out.all = await Metric.all();
out.unknownField = await attempt(() => Metric.create({ service: "x", colour: "red" }));
out.badId = await attempt(() => Metric.find("1 OR 1=1"));`,
    );
    expect(out.created).toEqual({ id: 1, service: "api", name: "latency", value: 12.5, timestamp: "1", tags: ["a", "b"] });
    expect(out.found).toEqual(out.created);
    expect(out.missing).toBeNull();
    expect(out.updated).toEqual({ id: 2, service: "auth", name: "latency", value: 8.25, timestamp: "2", tags: [] });
    expect(out.updateMissing).toBeNull();
    expect(out.count).toBe(2);
    expect([out.deleted, out.deletedAgain]).toEqual([true, false]);
    expect(out.all.map((r: any) => r.id)).toEqual([2]);
    expect(out.unknownField).toMatchObject({ name: "ModelInputError", field: "colour", message: expect.stringMatching(/^MetricRecord.create: unknown field "colour"/) });
    expect(out.badId).toMatchObject({ name: "ModelInputError", field: "id" });
  });

  it("filters with equality and the _lt _lte _gt _gte _ne _in _like suffixes", async () => {
    const out = await run(
      "filters",
      `${METRIC}
out.cleared = await Metric.delete_all(); // the row the previous test left
for (const [service, value, timestamp] of [["api", 10, 1000], ["api", 20, 2000], ["auth", 30, 3000], ["db", 40.5, 4000], ["Apex_1", 50, 5000]])
  await Metric.create({ service, name: "latency", value, timestamp: String(timestamp), tags: [] });
const values = (rows: { value: number }[]) => rows.map((r) => r.value);
out.eq = values(await Metric.where({ service: "api" }));
out.two = values(await Metric.where({ service: "api", value_gt: 15 }));
out.lt = values(await Metric.where({ value_lt: 20 }));
out.lte = values(await Metric.where({ value_lte: 20 }));
out.gte = values(await Metric.where({ value_gte: 30 }));
out.ne = values(await Metric.where({ service_ne: "api" }));
out.in = values(await Metric.where({ service_in: ["auth", "db"] }));
out.inEmpty = values(await Metric.where({ service_in: [] }));
out.like = values(await Metric.where({ service_like: "a%" }));
out.likeEscaped = values(await Metric.where({ service_like: "%\\\\_1" }));
out.textOrder = values(await Metric.where({ service_gt: "Z" }));
out.count = await Metric.count({ service: "api" });
out.first = await Metric.first({ service_ne: "api" });
out.none = await Metric.first({ service: "nothing" });
out.unknown = await attempt(() => Metric.where({ colour: "red" }));
out.unknownSuffix = await attempt(() => Metric.where({ value_between: [1, 2] }));
out.inNotArray = await attempt(() => Metric.where({ service_in: "api" }));
out.deletedSome = await Metric.delete_all({ value_gte: 40 });
out.left = await Metric.count();`,
    );
    expect(out).toMatchObject({
      cleared: 1, eq: [10, 20], two: [20], lt: [10], lte: [10, 20], gte: [30, 40.5, 50], ne: [30, 40.5, 50], in: [30, 40.5], inEmpty: [], count: 2,
    });
    // LIKE ignores the case of ASCII letters on both engines; a backslash escapes % and _.
    expect(out.like).toEqual([10, 20, 30, 50]);
    expect(out.likeEscaped).toEqual([50]);
    // Text compares by code point on both ("Apex_1" < "Z" < "api").
    expect(out.textOrder).toEqual([10, 20, 30, 40.5]);
    expect(out.first).toMatchObject({ service: "auth", value: 30 });
    expect(out.none).toBeNull();
    expect(out.unknown).toMatchObject({ field: "colour", message: expect.stringMatching(/^MetricRecord.where: unknown filter key "colour"/) });
    expect(out.unknownSuffix).toMatchObject({ message: expect.stringContaining('unknown filter key "value_between"') });
    expect(out.inNotArray).toMatchObject({ message: expect.stringContaining('"service_in" needs an array') });
    expect(out.deletedSome).toBe(2);
    expect(out.left).toBe(3);
  });

  it("Bool, Float, Int past 32 bits and Option fields round trip; None is NULL, also in filters", async () => {
    const out = await run(
      "values",
      `${METRIC}
const Sample = await model(db, "Sample", "samples", { at: t.int, ratio: t.float, note: t.option(t.string), ok: t.bool, meta: t.option(t.record("Meta", { a: t.int })) });
await Alert.create({ service: "api", severity: "Warning", resolved: false });
await Alert.create({ service: "auth", severity: "Critical", resolved: true, count: 3 });
out.all = await Alert.all();
out.open = (await Alert.where({ resolved: false })).map((a) => a.service);
out.resolved = await Alert.update(1, { resolved: true });
out.noCount = (await Alert.where({ count: null })).map((a) => a.id);
out.withCount = (await Alert.where({ count_ne: null })).map((a) => a.id);
out.sample = await Sample.create({ at: 1_700_000_000_123, ratio: 0.1 + 0.2, ok: false, meta: { a: 1 } });
out.sampleBack = await Sample.find(out.sample.id);
out.cleared = await Sample.update(out.sample.id, { meta: null, note: "n" });
out.big = (await Sample.where({ at_gt: 2 ** 40 })).length;`,
    );
    expect(out.all).toEqual([
      { id: 1, service: "api", severity: "Warning", resolved: false, count: null },
      { id: 2, service: "auth", severity: "Critical", resolved: true, count: 3 },
    ]);
    expect(out.open).toEqual(["api"]);
    expect(out.resolved.resolved).toBe(true);
    expect(out.noCount).toEqual([1]);
    expect(out.withCount).toEqual([2]);
    expect(out.sample).toEqual({ id: 1, at: 1_700_000_000_123, ratio: 0.30000000000000004, note: null, ok: false, meta: { a: 1 } });
    expect(out.sampleBack).toEqual(out.sample);
    expect(out.cleared).toMatchObject({ meta: null, note: "n" });
    expect(out.big).toBe(1);
  });

  it("binds values as parameters: an injection attempt finds nothing and breaks nothing", async () => {
    const out = await run(
      "injection",
      `${METRIC}
const attack = "x' OR 1=1 --";
out.where = await Alert.where({ service: attack });
out.like = await Alert.where({ service_like: attack });
out.count = await Alert.count({ severity_in: [attack, "'); DROP TABLE alert_records; --"] });
out.created = (await Alert.create({ service: attack, severity: "$1 ? Info", resolved: false })).service;
out.found = (await Alert.where({ service: attack, severity: "$1 ? Info" })).length;
out.total = await Alert.count();`,
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
      `const Alert = await model(db, "AlertRecord", "alert_records", { service: t.string, severity: t.string, resolved: t.bool, count: t.option(t.int), owner: t.option(t.string) });
out.before = await Alert.count();
out.firstRow = await Alert.find(1);
out.created = await Alert.create({ service: "new", severity: "Info", resolved: false, owner: "ops" });`,
    );
    expect(out.before).toBe(3);
    expect(out.firstRow).toEqual({ id: 1, service: "api", severity: "Warning", resolved: true, count: null, owner: null });
    expect(out.created).toMatchObject({ id: 4, owner: "ops" });
  });

  /** Starts a program declaring AlertRecord with `fields`; answers its one stderr line, checking it stopped before running on. */
  const refusedStart = async (stem: string, fields: string): Promise<string> => {
    const file = writeProgram(
      dir,
      `${stem}-${name}.ts`,
      `import { sqlite, postgres, model } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
${engine.open}
const Alert = await model(db, "AlertRecord", "alert_records", ${fields});
console.log("started anyway", await Alert.count());`,
    );
    const r = await runBun(file, engine.env);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("started anyway");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it("stops at start with one clear line when a field's type no longer matches its column, and changes nothing", async () => {
    const line = await refusedStart("changed", "{ service: t.string, severity: t.int, resolved: t.bool }");
    expect(line).toMatch(/^tova: model AlertRecord: column "severity" of table "alert_records" in (SQLite|PostgreSQL) .* is TEXT, but the field is declared Int/);
    expect(line).toContain("migrate the column by hand");
    const after = await run("after-change", `${METRIC}\nout.severity = (await Alert.find(1)).severity;`);
    expect(after.severity).toBe("Warning");
  });

  it("stops at start when a new field that is not an Option would leave the rows already there without a value", async () => {
    const line = await refusedStart("required", "{ service: t.string, severity: t.string, resolved: t.bool, region: t.string }");
    expect(line).toMatch(/^tova: model AlertRecord: the new field "region" is declared String, but the \d+ rows already in table "alert_records"/);
    expect(line).toContain("Option<String>");
    // Nothing was added: the same program with the field as an Option starts.
    const ok = await run("optional-region", `const Alert = await model(db, "AlertRecord", "alert_records", { service: t.string, severity: t.string, resolved: t.bool, region: t.option(t.string) });\nout.region = (await Alert.find(1)).region;`);
    expect(ok.region).toBeNull();
  });

  it("50 concurrent creates get 50 distinct ids; concurrent updates of one row keep the last write", async () => {
    const out = await run(
      "concurrent",
      `const Counter = await model(db, "Counter", "counters", { name: t.string, value: t.int });
const rows = await Promise.all(Array.from({ length: 50 }, (_, i) => Counter.create({ name: "c" + i, value: i })));
out.ids = new Set(rows.map((r) => r.id)).size;
out.count = await Counter.count();
const target = rows[0].id;
const writes = Array.from({ length: 20 }, (_, i) => Counter.update(target, { value: 1000 + i }));
const answers = await Promise.all(writes);
out.answered = answers.map((r) => r.value);
out.final = (await Counter.find(target)).value;
out.last = await Counter.update(target, { value: 7 });
out.afterLast = (await Counter.find(target)).value;`,
    );
    expect(out.ids).toBe(50);
    expect(out.count).toBe(50);
    expect(out.answered).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    expect(out.final).toBeGreaterThanOrEqual(1000);
    expect(out.afterLast).toBe(7);
  });

  it("delete_all(rows) deletes exactly the rows a where gave, in one transaction, also past one statement's worth", async () => {
    const out = await run(
      "delete-rows",
      `const Event = await model(db, "Event", "events", { kind: t.string, at: t.int });
for (let i = 0; i < 1200; i++) await Event.create({ kind: i % 3 === 0 ? "old" : "new", at: i });
out.deleted = await delete_all(await Event.where({ kind: "old" }));
out.left = await Event.count();
out.oldLeft = await Event.count({ kind: "old" });
out.notFromWhere = await attempt(() => delete_all([{ id: 1 }]));
out.empty = await delete_all([]);`,
    );
    expect(out.deleted).toBe(400);
    expect(out.left).toBe(800);
    expect(out.oldLeft).toBe(0);
    expect(out.notFromWhere).toMatchObject({ message: expect.stringContaining("delete_all(rows): pass the rows") });
    expect(out.empty).toBe(0);
  });

  it("stores a number given for a String field (Date.now()) as text and compares it, as the monitoring example does", async () => {
    const out = await run(
      "lenient",
      `const Sample = await model(db, "Stamp", "stamps", { service: t.string, timestamp: t.string });
const now = 1_700_000_000_000;
await Sample.create({ service: "old", timestamp: now - 25 * 3600 * 1000 });
await Sample.create({ service: "new", timestamp: now });
const cutoff = now - 24 * 3600 * 1000;
out.old = (await Sample.where({ timestamp_lt: cutoff })).map((s) => s.service);
out.stored = (await Sample.first({ service: "new" })).timestamp;
out.deleted = await delete_all(await Sample.where({ timestamp_lt: cutoff }));
out.left = (await Sample.all()).map((s) => s.service);`,
    );
    expect(out.old).toEqual(["old"]);
    expect(out.stored).toBe("1700000000000");
    expect(out.deleted).toBe(1);
    expect(out.left).toEqual(["new"]);
  });
});

describe("opening databases", () => {
  it("SQLite: WAL mode, one connection per file per process", async () => {
    const file = writeProgram(
      dir,
      "wal.ts",
      `import { Database } from "bun:sqlite";
import { sqlite } from "./runtime/db.js";
const db = sqlite("wal.db");
const check = new Database("wal.db");
console.log(JSON.stringify({ same: sqlite("wal.db") === db, mode: (check.query("PRAGMA journal_mode").get() as any).journal_mode }));`,
    );
    const r = await runBun(file);
    expect(JSON.parse(r.stdout)).toEqual({ same: true, mode: "wal" });
  });

  it("no URL, a bad URL, a PostgreSQL that is not there or a SQLite file that cannot be made stop at start with one line naming what to do", async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{}, "postgres(undefined)", /needs a database URL: set DATABASE_URL/],
      [{}, 'postgres("mysql://x")', /must start with postgres:\/\//],
      [{}, 'postgres("postgres://tova:secret@[bad")', /is not a valid URL/],
      [{}, 'sqlite("/nonexistent-dir/x.db")', /the SQLite database \/nonexistent-dir\/x\.db could not be opened/],
      [{}, 'postgres("postgres://tova:secret@127.0.0.1:1/none")', /could not prepare table "things" in PostgreSQL \(postgres:\/\/tova:\*\*\*@127\.0\.0\.1:1\/none\)/],
    ];
    for (const [env, open, message] of cases) {
      const file = writeProgram(
        dir,
        "pg-open.ts",
        `import { postgres, sqlite, model } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
const db = ${open};
await model(db, "Thing", "things", { a: t.int });`,
      );
      const r = await runBun(file, { ...env, DATABASE_URL: "" });
      expect(r.code, open).toBe(1);
      expect(r.stderr, open).toMatch(message);
      expect(r.stderr).not.toContain("secret");
      // One line, in Tova's words: no stack trace, no source excerpt.
      expect(r.stderr.trim().split("\n"), open).toHaveLength(1);
      expect(r.stderr).toMatch(/^tova: /);
    }
  });
});
