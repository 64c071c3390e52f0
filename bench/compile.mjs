// Whole cold processes, side by side (issue 15): each command below runs as a
// new process, the commands interleaved round by round so a busy moment of the
// machine falls on all of them alike; min / median / max of ROUNDS runs each.
// The start-up floor (`node -e 0`, `bun -e 0`) runs in the same rounds, so the
// targets are ratios measured together. It reports; it never fails.
//
// `node bench/compile.mjs [--rounds N] [--baseline DIR]`: with --baseline, the
// same tova commands of another built checkout (say a worktree of an older
// commit) run in the same rounds, and a second table gives this tree / baseline.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateFlatProgram } from "./generate.mjs";
import { freePort } from "./multi.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const BUN = path.join(root, "node_modules", ".bin", "bun");

const ONE_ROUTE = `fn hello() {\n  { message: "hello", count: 1 }\n}\n\nroute GET "/hello" => hello\n`;
const ONE_ROUTE_HAND = `Bun.serve({ port: Number(process.env.PORT), hostname: "127.0.0.1", fetch(req) {
  const url = new URL(req.url);
  if (req.method === "GET" && url.pathname === "/hello") return Response.json({ message: "hello", count: 1 });
  return new Response("not found", { status: 404 });
} });
`;

export async function benchCompile(options = {}) {
  const rounds = options.rounds ?? 5;
  const baseline = options.baseline ? path.resolve(options.baseline) : null;
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-compile-"));
  try {
    const files = {};
    for (const [name, text] of [
      ["one", "x = 1\n"],
      ["flat2k", generateFlatProgram(2_000)],
      ["flat10k", generateFlatProgram(10_000)],
      ["flat20k", generateFlatProgram(20_000)],
      ["hello", ONE_ROUTE],
    ]) {
      files[name] = { path: path.join(dir, `${name}.tova`), lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0) };
      writeFileSync(files[name].path, text);
    }
    writeFileSync(path.join(dir, "hand.js"), ONE_ROUTE_HAND);

    const trees = [{ label: "", root }, ...(baseline ? [{ label: "baseline ", root: baseline }] : [])];
    const commands = [
      { name: "node -e 0", run: () => timeProcess(process.execPath, ["-e", "0"]) },
      { name: "bun -e 0", run: () => timeProcess(BUN, ["-e", "0"]) },
    ];
    for (const t of trees) {
      const cli = cliOf(t.root);
      const caches = (name) => path.join(dir, `cache-${t.label.trim() || "this"}-${name}`);
      // The CLI's own code cache (bin.cts), shared by every run of this tree: it is the compiler's, made by its
      // first run on a machine, not the program's. "First run" below measures a process without it.
      const code = caches("code");
      mkdirSync(path.join(code, "v8"), { recursive: true });
      const cacheEnv = (cache) => {
        if (!existsSync(path.join(cache, "v8"))) {
          mkdirSync(cache, { recursive: true });
          symlinkSync(path.join(code, "v8"), path.join(cache, "v8"));
        }
        return { TOVA_CACHE_DIR: cache, XDG_CACHE_HOME: cache };
      };
      const tova = (args, env) => timeProcess(process.execPath, [cli, ...args], env);
      const fresh = (name) => {
        const out = path.join(dir, `${t.label.trim() || "this"}-${name}`);
        rmSync(out, { recursive: true, force: true });
        // A type-check cache of its own per run: `cold` means nothing of this program was checked before.
        return { out, env: cacheEnv(caches(`${name}-${Math.random().toString(36).slice(2)}`)) };
      };
      const warmEnv = cacheEnv(caches("warm"));
      // The port is part of the emitted code: "checked before" means the same program on the same port as before.
      const warmPort = await freePort();
      commands.push(
        { name: `${t.label}tova check, 1 line`, run: () => tova(["check", files.one.path], warmEnv) },
        {
          name: `${t.label}tova check, 1 line, first run (no code cache)`,
          run: () => {
            const cache = caches(`first-${Math.random().toString(36).slice(2)}`);
            return tova(["check", files.one.path], { TOVA_CACHE_DIR: cache, XDG_CACHE_HOME: cache });
          },
        },
        { name: `${t.label}tova check, ${fmt(files.flat2k.lines)} lines`, run: () => tova(["check", files.flat2k.path], warmEnv), lines: files.flat2k.lines },
        { name: `${t.label}tova check, ${fmt(files.flat20k.lines)} lines`, run: () => tova(["check", files.flat20k.path], warmEnv), lines: files.flat20k.lines },
        {
          name: `${t.label}tova build --no-typecheck, ${fmt(files.flat10k.lines)} lines`,
          run: () => {
            const f = fresh("nt");
            return tova(["build", files.flat10k.path, "--out", f.out, "--no-typecheck", "--quiet"], f.env);
          },
        },
        {
          name: `${t.label}tova build, ${fmt(files.flat10k.lines)} lines, cold`,
          run: () => {
            const f = fresh("tc");
            return tova(["build", files.flat10k.path, "--out", f.out, "--quiet"], f.env);
          },
        },
        {
          // The same program type-checked before (the cache is shared by the rounds); the output directory is new.
          name: `${t.label}tova build, ${fmt(files.flat10k.lines)} lines, checked before`,
          run: () => {
            const f = fresh("tcw");
            return tova(["build", files.flat10k.path, "--out", f.out, "--quiet"], warmEnv);
          },
        },
        {
          name: `${t.label}tova run hello.tova → first answer, cold`,
          run: () => {
            const f = fresh("run");
            return firstAnswer(process.execPath, (port) => [cli, "run", files.hello.path, "--out", f.out, "--port", String(port)], f.env);
          },
        },
        {
          name: `${t.label}tova run hello.tova → first answer, checked before`,
          run: () => {
            const f = fresh("runw");
            return firstAnswer(process.execPath, () => [cli, "run", files.hello.path, "--out", f.out, "--port", String(warmPort)], warmEnv, warmPort);
          },
        },
      );
    }
    commands.push({ name: "bun run hand-written server → first answer", run: () => firstAnswer(BUN, () => ["run", path.join(dir, "hand.js")]) });

    // One untimed round first: it fills the file system cache and the warm type-check cache.
    for (const c of commands) await c.run();
    const times = new Map(commands.map((c) => [c.name, []]));
    for (let r = 0; r < rounds; r++) for (const c of commands) times.get(c.name).push(await c.run());

    const stats = new Map([...times].map(([name, ms]) => [name, summary(ms)]));
    console.log(`\ncompile benchmark: whole cold processes, ${rounds} interleaved rounds (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")})`);
    console.log(`  ${"command".padEnd(58)} ${"min".padStart(8)} ${"median".padStart(8)} ${"max".padStart(8)}`);
    for (const c of commands) {
      const s = stats.get(c.name);
      const speed = c.lines ? `  ${fmt(Math.round(c.lines / (s.median / 1000)))} lines/s` : "";
      console.log(`  ${c.name.padEnd(58)} ${ms(s.min)} ${ms(s.median)} ${ms(s.max)}${speed}`);
    }
    const m = (name) => stats.get(name).median;
    const node0 = m("node -e 0");
    const check1 = m("tova check, 1 line");
    const check2k = m(`tova check, ${fmt(files.flat2k.lines)} lines`);
    const check20k = m(`tova check, ${fmt(files.flat20k.lines)} lines`);
    const speed20k = files.flat20k.lines / (check20k / 1000);
    const buildNt = m(`tova build --no-typecheck, ${fmt(files.flat10k.lines)} lines`);
    const buildTc = m(`tova build, ${fmt(files.flat10k.lines)} lines, cold`);
    const runCold = m("tova run hello.tova → first answer, cold");
    const runWarm = m("tova run hello.tova → first answer, checked before");
    const hand = m("bun run hand-written server → first answer");
    console.log("  targets (medians):");
    target(check1 / node0 <= 1.3, `tova check, 1 line ≤ 1.3 × node -e 0: ${(check1 / node0).toFixed(2)}x`);
    target(speed20k >= 60_000, `tova check, 20k lines ≥ 60,000 lines/s: ${fmt(Math.round(speed20k))} lines/s`);
    target(check20k / check2k <= 9, `tova check, 20k time ≤ 9 × 2k time: ${(check20k / check2k).toFixed(2)}x`);
    target(buildNt <= 500, `tova build --no-typecheck, 10k lines ≤ 0.5 s: ${(buildNt / 1000).toFixed(2)} s`);
    target(buildTc <= 1200, `tova build with the type-check, 10k lines ≤ 1.2 s (nothing cached): ${(buildTc / 1000).toFixed(2)} s`);
    target(runCold / hand <= 2, `tova run, first answer ≤ 2 × bun run of the hand-written server (nothing cached): ${(runCold / hand).toFixed(2)}x`);
    target(runWarm / hand <= 2, `tova run, first answer ≤ 2 × bun run of the hand-written server (checked before): ${(runWarm / hand).toFixed(2)}x`);
    const rss = peakRss(cliOf(root), files.flat20k.path);
    target(rss <= 120, `peak RSS of tova check, 20k lines ≤ 120 MiB: ${rss.toFixed(0)} MiB`);
    if (baseline) {
      console.log(`  this tree / baseline (${baseline}), medians:`);
      for (const c of commands.filter((c) => c.name.startsWith("baseline "))) {
        const mine = c.name.slice("baseline ".length);
        console.log(`    ${mine.padEnd(56)} ${(m(mine) / m(c.name)).toFixed(2)}x`);
      }
      console.log(`    peak RSS of tova check, 20k lines: ${rss.toFixed(0)} MiB, baseline ${peakRss(cliOf(baseline), files.flat20k.path).toFixed(0)} MiB`);
    }
    for (const t of trees) {
      const w = internals(t.root, files.flat20k.path, files.one.path);
      if (w) console.log(`  ${t.label || "this tree: "}parser allocation ${w.parserBytesPerToken.toFixed(0)} bytes/token, lexer ${w.lexerBytesPerToken.toFixed(0)} bytes/token (${fmt(w.tokens)} tokens); tova check loads ${w.modules} modules of its own and ${w.packages} of npm packages`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

function timeProcess(cmd, args, env = {}) {
  const start = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1" } });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} exited ${r.status}:\n${(r.stdout + r.stderr).slice(0, 3000)}`);
  return elapsed;
}

/** Starts a server process and polls until its first answer: the time a user waits from the command to a working endpoint. */
async function firstAnswer(cmd, argsFor, env = {}, fixedPort = null) {
  const port = fixedPort ?? (await freePort());
  const start = performance.now();
  const child = spawn(cmd, argsFor(port), { env: { ...process.env, ...env, PORT: String(port), NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${path.basename(cmd)} exited ${child.exitCode} before answering:\n${stderr.slice(0, 3000)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/hello`);
        if (res.status === 200) return performance.now() - start;
      } catch {
        // not listening yet
      }
      if (performance.now() - start > 60_000) throw new Error(`no answer after 60 s:\n${stderr.slice(0, 3000)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    // Stopped as a user stops it (`tova run` passes SIGTERM to its server and exits, writing its code cache as it
    // does); then anything left of the process group, `tova run` and the Bun server it started, is killed.
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    // Gone before the next run, which may use the same port.
    await exited;
    for (let i = 0; i < 200; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/hello`);
        await new Promise((r) => setTimeout(r, 10));
      } catch {
        break;
      }
    }
  }
}

/** A built tree's `tova` command: bin.cjs since the code cache, main.js in a baseline from before it. */
function cliOf(root) {
  return ["bin.cjs", "main.js"].map((f) => path.join(root, "dist", "cli", f)).find((f) => existsSync(f));
}

/** Peak resident memory of `tova check <file>`, read by the process itself at exit (Node reports no child's rusage). */
function peakRss(cli, file) {
  // Under -e, argv holds no script: the CLI's path goes in where `node cli.js` would have put it.
  const probe = `process.on("exit", () => process.stderr.write("maxrss " + process.resourceUsage().maxRSS + "\\n")); process.argv.splice(1, 0, ${JSON.stringify(cli)}); await import(${JSON.stringify(cli)});`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe, "check", file], { encoding: "utf8" });
  const m = /maxrss (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`tova check under the memory probe failed (${r.status}):\n${(r.stdout + r.stderr).slice(0, 2000)}`);
  return Number(m[1]) / 1024;
}

/** The parser's allocation per token and the modules `tova check` loads, measured by bench/internals.mjs in a process of its own. */
function internals(treeRoot, bigFile, oneFile) {
  const r = spawnSync(process.execPath, ["--expose-gc", "--min-semi-space-size=512", "--max-semi-space-size=512", path.join(here, "internals.mjs"), treeRoot, bigFile, oneFile], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(`  (internals of ${treeRoot} not measured: ${(r.stderr || r.stdout).trim().split("\n")[0]})`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function target(ok, text) {
  console.log(`    ${ok ? "PASS" : "MISS"} ${text}`);
}

const ms = (x) => `${(x / 1000).toFixed(3)} s`.padStart(8);
const fmt = (n) => n.toLocaleString("en-US");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  await benchCompile({ rounds: arg("--rounds") ? Number(arg("--rounds")) : undefined, baseline: arg("--baseline") });
}
