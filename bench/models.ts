// Model operations per second through the runtime against the same
// statements issued directly through the engine's client (issue 11: the
// runtime at least 0.8x the direct client on each engine), on SQLite (bun:sqlite)
// and PostgreSQL (Bun.SQL, a cluster of the benchmark's own); then requests
// per second of a generated route that reads one row, on both engines.
// Run by bench/run.mjs under Bun (it imports the test support that starts
// PostgreSQL, which is TypeScript).
//
// It also measures the choice of PostgreSQL client (runtime/README.md "db"):
// the same statements through Bun.SQL and through the `postgres` package,
// one after another and with 32 in flight.
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import postgresJs from "postgres";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { postgresBin, startPostgres, stopPostgres } from "../runtime/testing/postgres.js";

const root = path.resolve(import.meta.dir, "..");
const BUN = process.execPath;
const OPS = Number(process.env.BENCH_MODEL_OPS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const TARGET = 0.8;

const { sqlite, postgres, model } = await import(pathToFileURL(path.join(root, "dist", "runtime", "db.js")).href);
const { t } = await import(pathToFileURL(path.join(root, "dist", "runtime", "schema.js")).href);

type Op = "create" | "find" | "where" | "update";
const OPS_LIST: Op[] = ["create", "find", "where", "update"];

/** Runs `f(i)` OPS times, one after another; answers operations per second. */
async function rate(f: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await f(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < OPS; i++) await f(i);
  return OPS / ((performance.now() - start) / 1000);
}

const FIELDS = () => ({ name: t.string, qty: t.int, price: t.float, active: t.bool });
const COLS = `"id", "name", "qty", "price", "active"`;

/** The runtime's model functions. */
function viaRuntime(Item: any): Record<Op, (i: number) => unknown> {
  return {
    create: (i) => Item.create({ name: `item${i}`, qty: i, price: 1.5, active: true }),
    find: (i) => Item.find((i % 1000) + 1),
    where: (i) => Item.where({ qty_gt: i % 1000, qty_lt: (i % 1000) + 5 }),
    update: (i) => Item.update((i % 1000) + 1, { qty: i }),
  };
}

/** The same statements through bun:sqlite, prepared once, with the same conversions a program would need (Bool from 0/1). */
function directSqlite(file: string): Record<Op, (i: number) => unknown> {
  const db = new Database(file);
  db.run("PRAGMA synchronous = NORMAL"); // as the runtime's connection (journal_mode WAL is the file's already)
  const row = (r: any) => (r ? { ...r, active: r.active === 1 } : null);
  const insert = db.query(`INSERT INTO "items" ("name", "qty", "price", "active") VALUES (?, ?, ?, ?) RETURNING ${COLS}`);
  const find = db.query(`SELECT ${COLS} FROM "items" WHERE "id" = ?`);
  const where = db.query(`SELECT ${COLS} FROM "items" WHERE "qty" > ? AND "qty" < ? ORDER BY "id"`);
  const update = db.query(`UPDATE "items" SET "qty" = ? WHERE "id" = ? RETURNING ${COLS}`);
  return {
    create: (i) => row(insert.get(`item${i}`, i, 1.5, 1)),
    find: (i) => row(find.get((i % 1000) + 1)),
    where: (i) => where.all(i % 1000, (i % 1000) + 5).map(row),
    update: (i) => row(update.get(i, (i % 1000) + 1)),
  };
}

/** The same statements through Bun.SQL, with the same conversion a program would need (BIGINT arrives as text). */
function directPostgres(sql: SQL): Record<Op, (i: number) => unknown> {
  const row = (r: any) => (r ? { ...r, id: Number(r.id), qty: Number(r.qty) } : null);
  return {
    create: async (i) => row((await sql.unsafe(`INSERT INTO "items" ("name", "qty", "price", "active") VALUES ($1, $2, $3, $4) RETURNING ${COLS}`, [`item${i}`, i, 1.5, true]))[0]),
    find: async (i) => row((await sql.unsafe(`SELECT ${COLS} FROM "items" WHERE "id" = $1`, [(i % 1000) + 1]))[0]),
    where: async (i) => (await sql.unsafe(`SELECT ${COLS} FROM "items" WHERE "qty" > $1 AND "qty" < $2 ORDER BY "id"`, [i % 1000, (i % 1000) + 5])).map(row),
    update: async (i) => row((await sql.unsafe(`UPDATE "items" SET "qty" = $1 WHERE "id" = $2 RETURNING ${COLS}`, [i, (i % 1000) + 1]))[0]),
  };
}

/** The same statements through the `postgres` package (postgres.js), the other client considered. */
function directPostgresJs(sql: postgresJs.Sql): Record<Op, (i: number) => unknown> {
  const row = (r: any) => (r ? { ...r, id: Number(r.id), qty: Number(r.qty) } : null);
  return {
    create: async (i) => row((await sql.unsafe(`INSERT INTO "items" ("name", "qty", "price", "active") VALUES ($1, $2, $3, $4) RETURNING ${COLS}`, [`item${i}`, i, 1.5, true], { prepare: true }))[0]),
    find: async (i) => row((await sql.unsafe(`SELECT ${COLS} FROM "items" WHERE "id" = $1`, [(i % 1000) + 1], { prepare: true }))[0]),
    where: async (i) => (await sql.unsafe(`SELECT ${COLS} FROM "items" WHERE "qty" > $1 AND "qty" < $2 ORDER BY "id"`, [i % 1000, (i % 1000) + 5], { prepare: true })).map(row),
    update: async (i) => row((await sql.unsafe(`UPDATE "items" SET "qty" = $1 WHERE "id" = $2 RETURNING ${COLS}`, [i, (i % 1000) + 1], { prepare: true }))[0]),
  };
}

/** Finds by id with `inFlight` calls outstanding at a time; answers operations per second. */
async function concurrentRate(find: (i: number) => unknown, inFlight: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < OPS * 4) await find(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker)); // warm-up
  next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (OPS * 4) / ((performance.now() - start) / 1000);
}

/** Bun.SQL against postgres.js on the same statements: the measurement behind the runtime's choice. */
async function compareClients(bunSql: Record<Op, (i: number) => unknown>, pgJs: Record<Op, (i: number) => unknown>) {
  console.log("  PostgreSQL client: Bun.SQL against the postgres package (postgres.js), same statements, pool 10");
  for (const op of OPS_LIST) {
    let b = 0;
    let p = 0;
    for (let round = 0; round < 3; round++) {
      b = Math.max(b, await rate(bunSql[op]));
      p = Math.max(p, await rate(pgJs[op]));
    }
    console.log(`    ${op.padEnd(7)} Bun.SQL ${fmt(b).padStart(7)} ops/s   postgres.js ${fmt(p).padStart(7)} ops/s   ${(b / p).toFixed(2)}x`);
  }
  const b = await concurrentRate(bunSql.find, 32);
  const p = await concurrentRate(pgJs.find, 32);
  console.log(`    find, 32 in flight: Bun.SQL ${fmt(b).padStart(7)} ops/s   postgres.js ${fmt(p).padStart(7)} ops/s   ${(b / p).toFixed(2)}x`);
}

async function compare(engine: string, runtime: Record<Op, (i: number) => unknown>, direct: Record<Op, (i: number) => unknown>) {
  for (const op of OPS_LIST) {
    // Alternating rounds, best of three each: the table grows alike for both, and noise hits both.
    let d = 0;
    let r = 0;
    for (let round = 0; round < 3; round++) {
      d = Math.max(d, await rate(direct[op]));
      r = Math.max(r, await rate(runtime[op]));
    }
    const ratio = r / d;
    console.log(`  ${engine.padEnd(10)} ${op.padEnd(7)} runtime ${fmt(r).padStart(7)} ops/s   direct ${fmt(d).padStart(7)} ops/s   ${ratio.toFixed(2)}  ${ratio >= TARGET ? "PASS" : "MISS"} (target >= ${TARGET})`);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const ROUTE_TOVA = (db: string) => `server {
  ${db}
  model Item { name: String, qty: Int, price: Float, active: Bool }

  if Item.count() == 0 {
    for i in range(0, 1000) {
      Item.create({ name: "item {i}", qty: i, price: 1.5, active: true })
    }
  }

  fn get_item(id: Int) -> Option<Item> {
    Item.find(id)
  }

  route GET "/items/:id" => get_item
}
`;

async function serveRate(dir: string, name: string, db: string, env: Record<string, string>): Promise<number> {
  const src = path.join(dir, `${name}.tova`);
  writeFileSync(src, ROUTE_TOVA(db));
  const out = path.join(dir, `out-${name}`);
  const built = spawnSync("node", [path.join(root, "dist", "cli", "bin.cjs"), "build", src, "--out", out], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`tova build ${name} failed:\n${built.stdout}${built.stderr}`);
  const port = 20000 + Math.floor(Math.random() * 30000);
  const server = spawn(BUN, ["run", path.join(out, `${name}.server.js`)], { cwd: dir, env: { ...process.env, ...env, PORT: String(port) }, stdio: ["ignore", "ignore", "inherit"] });
  try {
    const url = `http://127.0.0.1:${port}/items/7`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {}
      if (i > 200) throw new Error(`${name} did not start`);
      await Bun.sleep(50);
    }
    spawnSync(BUN, [path.join(root, "bench", "load.mjs"), url, "1", "32"]);
    const r = spawnSync(BUN, [path.join(root, "bench", "load.mjs"), url, String(SECONDS), "32"], { encoding: "utf8" });
    const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
    return res.requests / res.seconds;
  } finally {
    server.kill("SIGKILL");
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-models-"));
try {
  console.log(`\nmodel benchmark (${fmt(OPS)} sequential operations a round, best of 3 alternating rounds)`);
  process.chdir(dir);
  const Item = await model(sqlite("bench.db"), "Item", "items", FIELDS());
  await compare("SQLite", viaRuntime(Item), directSqlite(path.join(dir, "bench.db")));

  let pgUrl: string | null = null;
  if (postgresBin()) {
    const pg = await startPostgres();
    pgUrl = await pg.database("bench");
    const PgItem = await model(postgres(pgUrl, { pool: 10 }), "Item", "items", FIELDS());
    const client = new SQL(pgUrl, { max: 10 });
    await compare("PostgreSQL", viaRuntime(PgItem), directPostgres(client));
    const pgJs = postgresJs(pgUrl, { max: 10, onnotice: () => {} });
    await compareClients(directPostgres(client), directPostgresJs(pgJs));
    await pgJs.end();
    await client.close();
  } else console.log("  PostgreSQL is not installed: its figures are skipped");

  const routeDir = mkdtempSync(path.join(dir, "route-"));
  const sqliteRps = await serveRate(routeDir, "rowsqlite", 'db { path: "rows.db" }', {});
  console.log(`  route reading one row, SQLite:     ${fmt(sqliteRps).padStart(7)} req/s (32 connections, ${SECONDS} s)`);
  if (pgUrl) {
    const pgRps = await serveRate(routeDir, "rowpg", 'db { adapter: "postgres", url: env("DATABASE_URL"), pool: 10 }', { DATABASE_URL: pgUrl });
    console.log(`  route reading one row, PostgreSQL: ${fmt(pgRps).padStart(7)} req/s (32 connections, ${SECONDS} s, pool 10)`);
  }
} finally {
  stopPostgres();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
