// Test support: the model API's contract runs unchanged on both engines
// (issue 11). An engine here is how a test program opens its database: a
// SQLite file in the test's workspace, or a fresh database on a PostgreSQL
// server of the test's own (postgres.ts). `runModels` runs a body of model
// calls under Bun beside the bundled runtime and answers what it put in `out`.
import { havePostgres, startPostgres, stopPostgres, type Postgres } from "./postgres.js";
import { runBun, writeProgram } from "./bun-process.js";

export interface TestEngine {
  name: "sqlite" | "postgres";
  /** The TypeScript line that opens `db`: the same database for every program of this engine. */
  open: string;
  /** Environment for the program (DATABASE_URL on PostgreSQL). */
  env: Record<string, string>;
}

let server: Postgres | null = null;
let databases = 0;

/** The engines to run on: SQLite always, PostgreSQL where it is installed (always in CI). */
export const ENGINE_NAMES: TestEngine["name"][] = havePostgres() ? ["sqlite", "postgres"] : ["sqlite"];

/** Opens an engine for one group of tests (on PostgreSQL, a new database of its own). */
export async function openEngine(name: TestEngine["name"]): Promise<TestEngine> {
  const n = ++databases;
  if (name === "sqlite") return { name, open: `const db = sqlite("contract-${n}.db");`, env: {} };
  server ??= await startPostgres();
  const url = await server.database(`contract_${n}`);
  return { name, open: "const db = postgres(process.env.DATABASE_URL);", env: { DATABASE_URL: url } };
}

/** Stops the PostgreSQL server the engines used (call it in afterAll). */
export function closeEngines(): void {
  stopPostgres();
  server = null;
}

/**
 * Runs `body` under Bun with `db` open on `engine`, and `t`, `model`,
 * `delete_all`, `out`, and `attempt(f)` (awaits f; answers its error's name,
 * field and message, or "no error") in scope; answers `out`.
 */
export async function runModels(dir: string, engine: TestEngine, stem: string, body: string): Promise<any> {
  const file = writeProgram(
    dir,
    `${stem}.${engine.name}.ts`,
    `import { sqlite, postgres, model, delete_all } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
${engine.open}
const out: Record<string, unknown> = {};
const attempt = async (f: () => unknown) => { try { await f(); return "no error"; } catch (e: any) { return { name: e.name, field: e.field, message: e.message }; } };
${body}
console.log(JSON.stringify(out));
process.exit(0);`,
  );
  const r = await runBun(file, engine.env);
  if (r.code !== 0) throw new Error(`${stem} on ${engine.name} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}
