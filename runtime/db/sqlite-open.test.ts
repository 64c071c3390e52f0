// Several processes opening one new SQLite file at once (two server blocks
// sharing a model, `tova dev --instances`): the switch to WAL can answer
// SQLITE_BUSY without waiting (SQLite's deadlock avoidance), which stopped a
// server at start about once in a hundred CI runs. The switch is retried.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { ROOT, runBun, stopAll, workspace, writeProgram } from "../testing/bun-process.js";

let dir: string;
beforeAll(() => {
  dir = workspace();
});
afterAll(() => stopAll());

const SOURCE = JSON.stringify(path.join(ROOT, "runtime", "db", "sqlite.ts"));

/** A handle whose journal-mode switch fails with `codes` in turn, then succeeds. */
const fake = (codes: string[]) => `
import { switchToWal } from ${SOURCE};
const codes = ${JSON.stringify(codes)};
let calls = 0;
const handle = { run(sql) { calls++; const code = codes.shift(); if (code) throw Object.assign(new Error("database is locked"), { code }); } };
switchToWal(handle, "app.db");
console.log(JSON.stringify({ calls }));
`;

describe("opening a SQLite file", () => {
  it("retries the switch to WAL while another process holds the lock", async () => {
    const run = await runBun(writeProgram(dir, "busy.ts", fake(["SQLITE_BUSY", "SQLITE_BUSY_RECOVERY"])));
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ calls: 3 });
  });

  it("stops with one line on any other error", async () => {
    const run = await runBun(writeProgram(dir, "corrupt.ts", fake(["SQLITE_CORRUPT"])));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^tova: the SQLite database app\.db could not be opened: database is locked/)]);
  });

  it("six processes creating the same new file all start", async () => {
    const program = writeProgram(dir, "open.ts", `import { sqlite } from ${SOURCE};\nsqlite(process.argv[2] ?? process.env.DB_FILE);\nconsole.log("ok");\n`);
    for (let round = 0; round < 5; round++) {
      const file = path.join(dir, `shared-${round}.db`);
      const runs = await Promise.all(Array.from({ length: 6 }, () => runBun(program, { DB_FILE: file })));
      for (const r of runs) expect({ code: r.code, out: r.stdout.trim(), err: r.stderr }).toEqual({ code: 0, out: "ok", err: "" });
    }
  });
});
