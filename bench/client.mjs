// The client runtime's cost in Chromium (issue 12): a keyed list of 1,000
// rows created, every 10th row updated, and two rows swapped, through a
// compiled client block against the same operations written by hand with the
// DOM API, in the same page, interleaved (target: at most 2x the hand-written
// time); and the size of the production client bundle of client.md's program
// (target: under 15 KB minified, before compression, runtime included).
// Reports; never fails.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(root, "dist", "cli", "bin.cjs");
const BUN = path.join(root, "node_modules", ".bin", "bun");
const CHROMIUM = "/usr/bin/chromium";
const ROUNDS = 15;
const TARGET_RATIO = 2;
const TARGET_BYTES = 15 * 1024;

const ROWS = `
shared {
  type Row { id: Int, label: String }
}

client {
  state rows: [Row] = []

  fn create() {
    rows = range(0, 1000) |> map(fn(i) Row { id: i, label: "row {i}" })
  }

  fn update() {
    rows = rows |> map(fn(r) if r.id % 10 == 0 { Row { id: r.id, label: "{r.label} !!!" } } else { r })
  }

  fn swap() {
    a = rows[1]
    b = rows[998]
    rows = rows |> map(fn(r) if r.id == a.id { b } elif r.id == b.id { a } else { r })
  }

  fn clear() {
    rows = []
  }

  component App {
    <div>
      <button id="create" onclick={create}>create</button>
      <button id="update" onclick={update}>update</button>
      <button id="swap" onclick={swap}>swap</button>
      <button id="clear" onclick={clear}>clear</button>
      <table>
        <tbody id="tova">
          for r in rows key r.id {
            <tr><td>{r.id}</td><td>{r.label}</td></tr>
          }
        </tbody>
      </table>
    </div>
  }
}

server {
  fn ping() -> String { "pong" }
}
`;

// The same operations by hand: what a careful programmer writes with the DOM API alone.
const HAND = `(() => {
  const table = document.createElement("table");
  const body = table.appendChild(document.createElement("tbody"));
  document.body.appendChild(table);
  let rows = [];
  let trs = [];
  window.hand = {
    create() {
      rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, label: "row " + i }));
      trs = rows.map((r) => {
        const tr = document.createElement("tr");
        const a = document.createElement("td");
        a.textContent = String(r.id);
        const b = document.createElement("td");
        b.textContent = r.label;
        tr.append(a, b);
        return tr;
      });
      body.append(...trs);
    },
    update() {
      for (let i = 0; i < rows.length; i += 10) {
        rows[i] = { id: rows[i].id, label: rows[i].label + " !!!" };
        trs[i].lastChild.textContent = rows[i].label;
      }
    },
    swap() {
      const a = trs[1], b = trs[998];
      const afterB = b.nextSibling;
      body.insertBefore(b, a);
      body.insertBefore(a, afterB);
      [trs[1], trs[998]] = [b, a];
      [rows[1], rows[998]] = [rows[998], rows[1]];
    },
    clear() {
      body.textContent = "";
      rows = [];
      trs = [];
    },
  };
})()`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchClient() {
  console.log("\nclient runtime in Chromium (1,000 keyed rows; median of " + ROUNDS + " interleaved rounds, script and layout time)");
  if (!existsSync(CHROMIUM)) {
    console.log("  Chromium is not installed (apt-get install chromium): skipped");
    return;
  }
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-client-"));
  let server;
  let browser;
  try {
    writeFileSync(path.join(dir, "rows.tova"), ROWS);
    const built = spawnSync(process.execPath, [CLI, "build", "rows.tova"], { cwd: dir, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`tova build failed:\n${built.stdout}${built.stderr}`);
    const port = await freePort();
    server = spawn(BUN, ["run", path.join(dir, ".tova-out", "rows.server.js")], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {}
      if (i > 200) throw new Error("the bench server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector("#create");
    await page.evaluate(HAND);
    // One operation: its script time and the layout it causes, timed inside the page.
    const time = (what) =>
      page.evaluate((what) => {
        document.body.offsetHeight;
        const t0 = performance.now();
        if (what.startsWith("hand.")) window.hand[what.slice(5)]();
        else document.getElementById(what).click();
        document.body.offsetHeight;
        return performance.now() - t0;
      }, what);
    const results = { create: { tova: [], hand: [] }, update: { tova: [], hand: [] }, swap: { tova: [], hand: [] } };
    for (let round = 0; round < ROUNDS + 2; round++) {
      for (const who of round % 2 ? ["tova", "hand"] : ["hand", "tova"]) {
        const op = (name) => time(who === "tova" ? name : `hand.${name}`);
        const c = await op("create");
        const u = await op("update");
        const s = await op("swap");
        await op("clear");
        if (round >= 2) {
          results.create[who].push(c);
          results.update[who].push(u);
          results.swap[who].push(s);
        }
      }
    }
    const check = await page.evaluate(() => [document.querySelectorAll("#tova tr").length, document.querySelectorAll("table")[1].querySelectorAll("tr").length]);
    if (check[0] !== 0 || check[1] !== 0) console.log(`  (the lists did not clear: ${check})`);
    for (const [op, r] of Object.entries(results)) {
      const t = median(r.tova);
      const h = median(r.hand);
      const ratio = t / h;
      console.log(`  ${op.padEnd(7)} tova ${t.toFixed(2).padStart(7)} ms   hand-written ${h.toFixed(2).padStart(7)} ms   ${ratio.toFixed(2)}x  ${ratio <= TARGET_RATIO ? "PASS" : "MISS"} (target <= ${TARGET_RATIO}x)`);
    }
  } catch (err) {
    console.log(`  failed: ${err.message}`);
  } finally {
    await browser?.close();
    server?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  bundleSize();
}

/** The production client bundle of client.md's program. */
function bundleSize() {
  const spec = path.join(root, "..", "shared", "spec", "client.md");
  if (!existsSync(spec)) return console.log("  client.md not found beside the checkout: bundle size skipped");
  const program = /```tova\n([\s\S]*?)```/.exec(readFileSync(spec, "utf8"))[1];
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-bundle-"));
  try {
    writeFileSync(path.join(dir, "app.tova"), program);
    const r = spawnSync(process.execPath, [CLI, "build", "app.tova", "--production"], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) return console.log(`  production build failed:\n${r.stdout}${r.stderr}`);
    const clientDir = path.join(dir, "dist", "client");
    const bundle = readdirSync(clientDir).find((f) => f.endsWith(".js"));
    const bytes = statSync(path.join(clientDir, bundle)).size;
    const gz = spawnSync("gzip", ["-c9", path.join(clientDir, bundle)]).stdout.length;
    console.log(`  client.md production bundle: ${(bytes / 1024).toFixed(1)} KB minified (${(gz / 1024).toFixed(1)} KB gzipped)  ${bytes < TARGET_BYTES ? "PASS" : "MISS"} (target < 15 KB minified)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchClient();
