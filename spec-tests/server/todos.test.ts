import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ENGINE_NAMES } from "../../runtime/testing/engines.js";
import { startPostgres, stopPostgres } from "../../runtime/testing/postgres.js";
import { buildProgram, call, cleanDirs, start, stopAll } from "./harness.js";

/**
 * The README's example, examples/todos.tova, answering the requests its
 * comment shows: as written (SQLite), and with its `db` block switched to
 * PostgreSQL (issue 11), on the same compiled routes.
 */
const SOURCE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "todos.tova"), "utf8");
const SQLITE_DB = 'db { path: "todos.db" }';
if (!SOURCE.includes(SQLITE_DB)) throw new Error("the todos example's db block changed: update SQLITE_DB");

afterAll(async () => {
  await stopAll();
  cleanDirs();
  stopPostgres();
});

describe.each(ENGINE_NAMES)("examples/todos.tova on %s", (engine) => {
  it("adds, lists, filters and finishes todos, refuses bad input by name, and keeps its rows across a restart", async () => {
    const env: Record<string, string> = engine === "postgres" ? { DATABASE_URL: await (await startPostgres()).database("todos") } : {};
    const built = await buildProgram(engine === "postgres" ? SOURCE.replace(SQLITE_DB, 'db { adapter: "postgres" }') : SOURCE, "todos");
    let s = await start(built.file("server"), { env });
    const post = (p: string, json: unknown) => call(`${s.url}${p}`, { json });
    expect(s.output()).toContain("todos: 0 in the database");

    expect(await post("/todos", { title: "  write docs " })).toMatchObject({ status: 200, body: { id: 1, title: "write docs", done: false } });
    expect((await post("/todos", { title: "ship" })).body).toEqual({ id: 2, title: "ship", done: false });
    const list = await call(`${s.url}/todos`);
    expect(list.body).toEqual([
      { id: 1, title: "write docs", done: false },
      { id: 2, title: "ship", done: false },
    ]);
    expect(list.headers.get("x-served-by")).toBe("tova");
    expect((await post("/todos/1/done", {})).body).toEqual({ id: 1, title: "write docs", done: true });
    expect((await call(`${s.url}/todos?done=true`)).body).toEqual([{ id: 1, title: "write docs", done: true }]);
    expect((await call(`${s.url}/todos?done=false`)).body.map((t: { id: number }) => t.id)).toEqual([2]);

    // The user's mistakes: named, 4xx, nothing stored.
    const blank = await post("/todos", { title: "   " });
    expect(blank.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(blank.body)).toContain("a todo needs a title");
    const missing = await post("/todos/99/done", {});
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(missing.body)).toContain("no todo 99");
    const notAnId = await post("/todos/abc/done", {});
    expect(notAnId.status).toBe(400);
    expect(JSON.stringify(notAnId.body)).toContain("id");
    const wrongType = await post("/todos", { title: 42 });
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType.body)).toContain("title");
    expect((await call(`${s.url}/todos?done=maybe`)).status).toBe(400);
    expect((await call(`${s.url}/todos`)).body).toHaveLength(2);

    await s.stop("SIGTERM");
    s = await start(built.file("server"), { env });
    expect(s.output()).toContain("todos: 2 in the database");
    expect((await call(`${s.url}/todos?done=true`)).body).toEqual([{ id: 1, title: "write docs", done: true }]);
  }, 60_000);
});
