#!/usr/bin/env node
// Stand-in for systemctl and journalctl on the test's sandboxed "server"
// (there is no init system to talk to). Every call is recorded in the calls
// log. Units under $TOVA_PREFIX/etc/systemd/system are really run: `start` /
// `restart` of `tova-<app>@<port>.service` reads the template, puts /opt/tova
// paths under the prefix, and starts its ExecStart with Bun, detached, its
// output in a log that `journalctl -u` prints. Everything else (caddy, timers,
// daemon-reload) is only recorded.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const prefix = process.env.TOVA_PREFIX ?? "";
const calls = process.env.TOVA_TEST_CALLS;
const state = path.join(process.env.TOVA_TEST_STATE ?? "/tmp", "units");
mkdirSync(state, { recursive: true });
// Called by the `systemctl` and `journalctl` wrappers as: systemd.mjs <tool> <args...>
const tool = process.argv[2];
const args = process.argv.slice(3);
if (calls) appendFileSync(calls, `${tool} ${args.join(" ")}\n`);

const pidFile = (unit) => path.join(state, `${unit}.pid`);
const logFile = (unit) => path.join(state, `${unit}.log`);
const pidOf = (unit) => (existsSync(pidFile(unit)) ? Number(readFileSync(pidFile(unit), "utf8")) : 0);
const alive = (pid) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const mapPath = (p) => (p.startsWith("/opt/tova") ? prefix + p : p === "/usr/local/bin/bun" ? "bun" : p);

function template(unit) {
  const m = /^(.*)@(\d+)\.service$/.exec(unit);
  if (!m) return null;
  const file = path.join(prefix, "etc/systemd/system", `${m[1]}@.service`);
  return existsSync(file) ? { file, instance: m[2] } : null;
}

function start(unit) {
  const t = template(unit);
  if (!t || alive(pidOf(unit))) return;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/root" };
  let cwd = "/";
  let exec = [];
  for (const raw of readFileSync(t.file, "utf8").split("\n")) {
    const line = raw.replaceAll("%i", t.instance);
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "WorkingDirectory") cwd = mapPath(value);
    if (key === "ExecStart") exec = value.split(" ").map(mapPath);
    if (key === "Environment") {
      const pair = value.startsWith('"') ? JSON.parse(value) : value;
      const [k, ...v] = pair.split("=");
      env[k] = v.join("=").startsWith("/opt/tova") ? mapPath(v.join("=")) : v.join("=");
    }
    if (key === "EnvironmentFile") {
      const file = mapPath(value.replace(/^-/, ""));
      if (existsSync(file)) {
        for (const l of readFileSync(file, "utf8").split("\n")) {
          const i = l.indexOf("=");
          if (i > 0 && !l.startsWith("#")) env[l.slice(0, i)] = l.slice(i + 1);
        }
      }
    }
  }
  const out = openSync(logFile(unit), "a");
  const child = spawn(exec[0], exec.slice(1), { cwd, env, detached: true, stdio: ["ignore", out, out] });
  writeFileSync(pidFile(unit), String(child.pid));
  child.unref();
}

function stop(unit) {
  const pid = pidOf(unit);
  if (alive(pid)) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(pidFile(unit), { force: true });
}

const units = args.filter((a) => !a.startsWith("-") && /\.(service|timer)$|^caddy$|^postgresql$|^redis-server$/.test(a));

if (tool === "journalctl") {
  // journalctl --no-pager [-n N] -u unit... : the units' output, oldest first.
  const chosen = args.flatMap((a, i) => (args[i - 1] === "-u" ? [a] : []));
  const n = args.includes("-n") ? Number(args[args.indexOf("-n") + 1]) : Infinity;
  for (const unit of chosen) {
    if (!existsSync(logFile(unit))) continue;
    const lines = readFileSync(logFile(unit), "utf8").trimEnd().split("\n");
    for (const l of lines.slice(Number.isFinite(n) ? -n : 0)) process.stdout.write(`${unit}: ${l}\n`);
  }
  process.exit(0);
}

const verb = args.find((a) => !a.startsWith("-"));
switch (verb) {
  case "start":
    units.forEach(start);
    break;
  case "restart":
    for (const u of units) {
      stop(u);
      start(u);
    }
    break;
  case "stop":
    units.forEach(stop);
    break;
  case "enable":
    if (args.includes("--now")) units.forEach(start);
    break;
  case "disable":
    if (args.includes("--now")) units.forEach(stop);
    break;
  case "is-active": {
    const active = units.every((u) => alive(pidOf(u)));
    process.stdout.write(units.map((u) => (alive(pidOf(u)) ? "active" : "inactive")).join("\n") + "\n");
    process.exit(active ? 0 : 3);
    break;
  }
  case "show": {
    const u = units[0];
    const pid = pidOf(u);
    const rss = alive(pid) ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024 : 0;
    const since = alive(pid) ? new Date(statSync(pidFile(u)).mtimeMs).toUTCString() : "";
    process.stdout.write(`${rss}\n${since}\n`);
    break;
  }
  case "list-units": {
    for (const f of readdirSync(state).filter((f) => f.endsWith(".pid"))) {
      const u = f.slice(0, -4);
      const on = alive(pidOf(u));
      process.stdout.write(`${u} loaded ${on ? "active running" : "inactive dead"}\n`);
    }
    break;
  }
  default:
    // daemon-reload, reload caddy, and the rest: recorded above.
    break;
}
