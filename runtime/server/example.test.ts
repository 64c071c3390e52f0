// What generated code looks like against the runtime (runtime/README.md),
// written by hand: a shared file, a server file and a client file that import
// ./runtime/*.js. They must type-check with strict settings against the
// bundled .d.ts files alone, and the server must run under Bun.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const SHARED = `
import { t, type Schema } from "./runtime/schema.js";

export interface Metric { service: string; name: string; value: number; timestamp: string; tags: string[] }
export const MetricSchema: Schema<Metric> = t.record<Metric>("Metric", {
  service: t.string, name: t.string, value: t.float, timestamp: t.string, tags: t.array(t.string),
});
export type AlertSeverity = "Info" | "Warning" | "Critical";
export const AlertSeveritySchema: Schema<AlertSeverity> = t.enum("AlertSeverity", ["Info", "Warning", "Critical"] as const);
`;

const SERVER = `
import { createApp, loadEnv, type TovaRequest, type TovaResponse } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { sqlite, model, delete_all } from "./runtime/db.js";
import { Date, JSON, Ok, Err, isFailure, unwrap, ok_or, map, unwrapOr, sort_by, take, first, len, print, uuid, type Option, type Result } from "./runtime/stdlib.js";
import { MetricSchema, type Metric } from "./app.shared.js";

const { RETENTION_HOURS, ALERT_WEBHOOK } = loadEnv({
  RETENTION_HOURS: { type: t.int, default: 24 },
  ALERT_WEBHOOK: { type: t.option(t.string), default: null },
});
const webhook: string | null = ALERT_WEBHOOK;

const db = sqlite("metrics.db");
interface MetricRecord { id: number; service: string; name: string; value: number; timestamp: string; tags: string }
const MetricRecord = await model<MetricRecord>(db, "MetricRecord", "metric_records", { service: t.string, name: t.string, value: t.float, timestamp: t.string, tags: t.string });
interface AlertRecord { id: number; service: string; message: string; resolved: boolean }
const AlertRecord = await model<AlertRecord>(db, "AlertRecord", "alert_records", { service: t.string, message: t.string, resolved: t.bool });

function trace(req: TovaRequest, res: TovaResponse): void {
  const req_id = unwrapOr(req.headers["x-request-id"], uuid());
  req.id = req_id;
  res.setHeader("X-Trace", req_id);
}

async function get_metrics(service: Option<string>, limit_count: Option<number>): Promise<MetricRecord[]> {
  let results = await MetricRecord.all();
  if (service !== null) results = results.filter((m) => m.service === service);
  return take(sort_by(results, (a: MetricRecord, b: MetricRecord) => (b.timestamp as any) - (a.timestamp as any)), unwrapOr(limit_count, 100));
}

async function ingest_metric(metric: Metric): Promise<{ status: string }> {
  await MetricRecord.create({ service: metric.service, name: metric.name, value: metric.value, timestamp: Date.now(), tags: metric.tags.join(",") });
  return { status: "accepted" };
}

async function resolve_alert(id: number): Promise<Result<AlertRecord, string>> {
  const found = ok_or(await AlertRecord.find(id), "Alert not found");
  if (isFailure(found)) return found as Result<never, string>;
  const alert = unwrap(found);
  await AlertRecord.update(id, { resolved: true });
  return Ok(alert);
}

async function latest_value(service: string): Promise<Option<number>> {
  return map(first(await MetricRecord.where({ service })), (m) => m.value);
}

async function cleanup(): Promise<number> {
  const cutoff = Date.now() - RETENTION_HOURS * 3_600_000;
  return await delete_all(await MetricRecord.where({ timestamp_lt: cutoff }));
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.use(trace);
app.onStart(async () => print("[api] starting with", len(await MetricRecord.all()), "metrics"));
app.onStop(() => print("[api] stopping"));
app.onError((err, req, res) => {
  res.status(500);
  res.json({ error: "Internal error", message: err.message, request_id: req.id });
});
app.rpc("get_metrics", get_metrics, [{ name: "service", schema: t.option(t.string) }, { name: "limit_count", schema: t.option(t.int) }]);
app.rpc("ingest_metric", ingest_metric, [{ name: "metric", schema: MetricSchema }]);
app.rpc("latest_value", latest_value, [{ name: "service", schema: t.string }]);
app.rpc("cleanup", cleanup, []);
app.route("GET", "/api/metrics", get_metrics, [{ name: "service", schema: t.option(t.string) }, { name: "limit_count", schema: t.option(t.int) }]);
app.route("POST", "/api/metrics/ingest", ingest_metric, [{ name: "metric", schema: MetricSchema, wholeBody: true }]);
app.route("POST", "/api/alerts/:id/resolve", resolve_alert, [{ name: "id", schema: t.int }]);
app.route("GET", "/api/debug", (req: TovaRequest, res: TovaResponse) => ({ id: req.id, json: JSON.stringify({ a: 1 }), webhook }), "req-res");

const server = Bun.serve(await app.start());
app.stopOnSignals(server);
`;

const CLIENT = `
import { signal, computed, effect, h, mount, rpcClient } from "./runtime/client.js";
import type { Metric } from "./app.shared.js";

const server = rpcClient<{
  get_metrics(service: string | null, limit_count: number | null): Promise<Metric[]>;
  ingest_metric(metric: Metric): Promise<{ status: string }>;
}>();

function App(): Node {
  const metrics = signal<Metric[]>([]);
  const count = computed(() => metrics.value.length);
  effect(() => { document.title = count.value + " metrics"; });
  void server.get_metrics(null, 10).then((m) => { metrics.value = m; });
  return h("main", { class: "app" }, h("h1", null, "Metrics: ", count.value), h("button", { onClick: () => void server.ingest_metric({ service: "ui", name: "click", value: 1, timestamp: "0", tags: [] }) }, "Add"));
}
mount(App);
`;

const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** tsc with strict settings; `types` are the @types packages to load (none when empty). */
function tsc(files: string[], lib: string[], types: string[], skipLibCheck: boolean) {
  const config = {
    compilerOptions: {
      noEmit: true, strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022",
      lib, types, typeRoots: [path.join(ROOT, "node_modules", "@types")], skipLibCheck,
    },
    files,
  };
  const name = `tsconfig.${files[0]!.replace(/\W/g, "_")}.json`;
  writeProgram(dir, name, JSON.stringify(config));
  const r = spawnSync(process.execPath, [TSC, "-p", name], { cwd: dir, encoding: "utf8" });
  return { code: r.status, output: r.stdout + r.stderr };
}

let dir: string;
let server: Server;
beforeAll(async () => {
  dir = workspace();
  writeProgram(dir, "app.shared.ts", SHARED);
  writeProgram(dir, "app.server.ts", SERVER);
  writeProgram(dir, "app.client.ts", CLIENT);
  writeProgram(dir, "package.json", '{ "type": "module" }');
});
afterAll(stopAll);

describe("generated-style code against the bundled runtime", () => {
  it("the runtime's declarations are self-contained: they check fully with no Bun or Node types", () => {
    const files = ["stdlib", "schema", "server", "db", "client"].map((m) => `runtime/${m}.d.ts`);
    expect(tsc(files, ["es2022", "dom"], [], false)).toEqual({ code: 0, output: "" });
  });

  // skipLibCheck: bun-types 1.4.5 and @types/node 20 disagree inside their own declarations.
  it("type-checks the server file with --strict against the runtime's .d.ts and Bun's types", () => {
    expect(tsc(["app.server.ts"], ["es2022"], ["bun"], true)).toEqual({ code: 0, output: "" });
  });

  it("type-checks the client file against the DOM, without Bun's or Node's types", () => {
    expect(tsc(["app.client.ts"], ["es2022", "dom"], [], true)).toEqual({ code: 0, output: "" });
  });

  it("reports a type error in user code (the declarations are not `any`)", () => {
    writeProgram(dir, "wrong.ts", `import { t } from "./runtime/schema.js";\nimport { model, sqlite } from "./runtime/db.js";\nconst n: string = t.int;\nawait model(sqlite("x.db"), "X", "x", { a: 1 });\n`);
    const r = tsc(["wrong.ts"], ["es2022"], ["bun"], true);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/wrong.ts\(3,7\)/);
    expect(r.output).toMatch(/wrong.ts\(4,/);
  });

  it("runs under Bun", async () => {
    server = await startServer(path.join(dir, "app.server.ts"));
    const post = (p: string, body: unknown) => fetch(server.url + p, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }).then(async (r) => ({ status: r.status, body: await r.json(), trace: r.headers.get("x-trace") }));
    const metric = { service: "api", name: "latency", value: 12.5, timestamp: "x", tags: ["a"] };
    expect(await post("/api/metrics/ingest", metric)).toMatchObject({ status: 200, body: { status: "accepted" } });
    expect(await post("/rpc/ingest_metric", { __args: [metric] })).toMatchObject({ status: 200, body: { result: { status: "accepted" } } });
    const listed = await fetch(server.url + "/api/metrics?limit_count=1", { headers: { "x-request-id": "r-1" } });
    expect(listed.headers.get("x-trace")).toBe("r-1");
    expect(await listed.json()).toEqual([expect.objectContaining({ service: "api", tags: "a", value: 12.5 })]);
    expect(await post("/rpc/latest_value", { __args: ["api"] })).toMatchObject({ body: { result: 12.5 } });
    expect(await post("/api/alerts/1/resolve", {})).toMatchObject({ status: 400, body: { error: "Alert not found" } });
    expect(await post("/rpc/cleanup", { __args: [] })).toMatchObject({ body: { result: 0 } });
    expect(server.output().stdout).toContain("[api] starting with 0 metrics");
  });
});
