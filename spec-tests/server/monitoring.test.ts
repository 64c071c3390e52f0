import net from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_NAMES } from "../../runtime/testing/engines.js";
import { startPostgres, stopPostgres } from "../../runtime/testing/postgres.js";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { call } from "./harness.js";

/**
 * monitoring-service.md's application, unchanged, under `tova dev`: two real
 * processes. Its data names the API at localhost:3001 and a dead "auth" at
 * 3002, so the servers run on the ports the program assigns (collector 3000,
 * api 3001). It runs twice: as written (SQLite), and with its `db` block
 * switched to `adapter: "postgres"` and DATABASE_URL naming a real
 * PostgreSQL (issue 11: the models and queries stay the same). And once
 * more scaled out (scale-out.md): REDIS_URL set and `tova dev --instances 2`,
 * two processes of each block sharing Redis (events once per block, the
 * schedule once per tick) and the database.
 */
const SOURCE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "monitoring-service.tova"), "utf8");
const SQLITE_DB = 'db {\n    adapter: "sqlite"\n    database: "metrics.db"\n  }';
if (!SOURCE.includes(SQLITE_DB)) throw new Error("the monitoring example's db block changed: update SQLITE_DB");

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
interface Variant {
  engine: (typeof ENGINE_NAMES)[number];
  /** With REDIS_URL and two instances of every block. */
  scaled: boolean;
}
const VARIANTS: Variant[] = [...ENGINE_NAMES.map((engine) => ({ engine, scaled: false })), ...(haveRedis() ? [{ engine: ENGINE_NAMES.at(-1)!, scaled: true }] : [])];
const label = (v: Variant) => `${v.engine === "sqlite" ? "SQLite" : "PostgreSQL"}${v.scaled ? ", Redis and two instances of each block" : ""}`;

describe.each(VARIANTS.map((v) => [label(v), v] as const))("on %s", (_, { engine, scaled }) => {
  let dir: string;
  let databaseUrl: string | undefined;
  let dev: ChildProcess;
  let devOutput = "";
  const api = { url: "http://127.0.0.1:3001" };

  beforeAll(async () => {
    let env: Record<string, string> = {};
    let source = SOURCE;
    if (engine === "postgres") {
      const pg = await startPostgres();
      databaseUrl = await pg.database("monitoring");
      env = { DATABASE_URL: databaseUrl };
      source = SOURCE.replace(SQLITE_DB, 'db {\n    adapter: "postgres"\n  }');
    }
    if (scaled) env = { ...env, REDIS_URL: await startRedis() };
    for (const port of [3000, 3001, 3002]) {
      if (!(await free(port))) throw new Error(`port ${port} is taken: the monitoring example's data names localhost:3000-3002`);
    }
    // Run as a user would: `tova dev monitor.tova` (collector on 3000, api on its explicit 3001).
    dir = mkdtempSync(path.join(os.tmpdir(), "tova-monitor-"));
    writeFileSync(path.join(dir, "monitor.tova"), source);
    dev = spawn(process.execPath, [path.join(ROOT, "dist", "cli", "bin.cjs"), "dev", "monitor.tova", "--port", "3000", ...(scaled ? ["--instances", "2"] : [])], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    dev.stdout!.on("data", (d: Buffer) => (devOutput += d));
    dev.stderr!.on("data", (d: Buffer) => (devOutput += d));
    for (const url of ["http://127.0.0.1:3000/healthz", "http://127.0.0.1:3001/healthz"]) {
      for (let i = 0; ; i++) {
        try {
          await (await fetch(url)).arrayBuffer();
          break;
        } catch {
          if (i > 300) throw new Error(`tova dev did not start ${url}:\n${devOutput}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }, 60_000);

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill("SIGTERM");
      await new Promise((r) => dev.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
    stopPostgres();
    await stopRedis();
  });

  describe(`the monitoring service (${label({ engine, scaled })})`, () => {
    it("ingests metrics through the api and the collector stores them (the event bus between processes)", async () => {
      const ingest = await call(`${api.url}/api/metrics/ingest`, { json: { service: "billing", name: "queue_depth", value: 12, timestamp: "1700000000000", tags: ["queue", "prod"] } });
      expect(ingest).toMatchObject({ status: 200, body: { status: "accepted" } });
      const metrics = await (async () => {
        for (let i = 0; i < 50; i++) {
          const r = await call(`${api.url}/api/metrics?service=billing`);
          if (Array.isArray(r.body) && r.body.length) return r.body;
          await new Promise((res) => setTimeout(res, 100));
        }
        return [];
      })();
      expect(metrics).toEqual([expect.objectContaining({ service: "billing", name: "queue_depth", value: 12, tags: "queue,prod" })]);
      // Stored where the db block says: the PostgreSQL table, or the SQLite file.
      if (databaseUrl) {
        const row = spawnSync("psql", [databaseUrl, "-tAc", "SELECT service || ':' || value FROM metric_records WHERE name = 'queue_depth'"], { encoding: "utf8" });
        expect(row.stdout.trim()).toBe("billing:12");
      }
      const bad = await call(`${api.url}/api/metrics/ingest`, { json: { service: "billing", value: "lots" } });
      expect(bad.status).toBe(400);
    });

    it("runs the collector's 30-second health checks: a live service is recorded, a dead one raises an alert, which can be resolved", async () => {
      // The schedule fires on every half minute.
      let report: any;
      for (let i = 0; i < 40; i++) {
        report = (await call(`${api.url}/api/report`)).body;
        const alerts = (await call(`${api.url}/api/alerts`)).body;
        if (report.services?.find((s: any) => s.name === "api")?.last_check !== "never" && alerts.some((a: any) => a.service === "auth")) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const apiHealth = report.services.find((s: any) => s.name === "api");
      expect(apiHealth.status).toMatch(/healthy|degraded/);
      expect(apiHealth.last_check).not.toBe("never");
      expect(report.services.find((s: any) => s.name === "auth").status).toBe("unknown");
      const alerts = (await call(`${api.url}/api/alerts?active_only=true`)).body;
      const authAlert = alerts.find((a: any) => a.service === "auth");
      expect(authAlert).toMatchObject({ severity: "Critical", resolved: false });
      expect(authAlert.message).toContain("Health check failed");
      expect(report.active_alerts.some((a: any) => a.service === "auth" && a.severity === "Critical")).toBe(true);

      const resolved = await call(`${api.url}/api/alerts/${authAlert.id}/resolve`, { method: "POST", json: {} });
      expect(resolved.status).toBe(200);
      const still = (await call(`${api.url}/api/alerts?active_only=true`)).body;
      expect(still.some((a: any) => a.id === authAlert.id)).toBe(false);
      expect((await call(`${api.url}/api/alerts/999999/resolve`, { method: "POST", json: {} })).body).toEqual({ error: "Alert not found" });
      expect(devOutput).toContain(`[server:collector${scaled ? "#1" : ""}] [collector] Starting monitoring service...`);
      expect(devOutput).toContain(`${scaled ? 4 : 2} server process(es) running`);
    }, 60_000);
  });
});
