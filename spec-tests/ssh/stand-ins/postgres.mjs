#!/usr/bin/env node
// Stand-in for Debian's cluster tools on the test's sandboxed "server":
// `pg_lsclusters`, `pg_createcluster` and `su postgres -c ...`, the three
// provision.sh and the removal script use. The PostgreSQL behind them is
// real (the postgresql package's initdb, pg_ctl, psql, createdb, pg_dump), but
// its clusters live under $TOVA_PREFIX/var/lib/postgresql and their sockets
// under $TOVA_PREFIX/run/postgresql instead of the machine's own, so a test
// never touches a cluster it did not make. Every call is recorded in the
// calls log. The server runs as the `postgres` user (it refuses root), so the
// sandbox is expected to run as root, as CI does.
import { spawnSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const prefix = process.env.TOVA_PREFIX ?? "";
const calls = process.env.TOVA_TEST_CALLS;
const tool = process.argv[2];
const args = process.argv.slice(3);
if (calls) appendFileSync(calls, `${tool} ${args.join(" ")}\n`);

const clusters = path.join(prefix, "var/lib/postgresql");
const sockets = path.join(prefix, "run/postgresql");
const versions = "/usr/lib/postgresql";
const newest = readdirSync(versions).sort((a, b) => Number(b) - Number(a))[0];
const bin = (version = newest) => path.join(versions, version, "bin");
const id = (flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout);
const owned = (dir) => {
  mkdirSync(dir, { recursive: true });
  chownSync(dir, id("-u"), id("-g"));
};
const asPostgres = (command, argv, env = {}) =>
  spawnSync("runuser", ["-u", "postgres", "--", "env", `PATH=${bin()}:${process.env.PATH}`, `PGHOST=${sockets}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), command, ...argv], {
    stdio: "inherit",
    cwd: "/",
  }).status ?? 1;

/** Each cluster as [version, name, port, data directory]. */
function list() {
  if (!existsSync(clusters)) return [];
  return readdirSync(clusters).flatMap((version) =>
    readdirSync(path.join(clusters, version)).map((name) => {
      const data = path.join(clusters, version, name);
      const port = /^port = (\d+)/m.exec(readFileSync(path.join(data, "postgresql.auto.conf"), "utf8"))?.[1] ?? "5432";
      return [version, name, port, data];
    }),
  );
}

switch (tool) {
  case "pg_lsclusters":
    for (const [version, name, port, data] of list()) {
      const online = existsSync(path.join(data, "postmaster.pid")) ? "online" : "down";
      console.log(`${version} ${name} ${port} ${online} postgres ${data} ${path.join(data, "log")}`);
    }
    process.exit(0);
    break;
  case "pg_createcluster": {
    // pg_createcluster --start -p PORT VERSION NAME
    const port = args[args.indexOf("-p") + 1];
    const [version, name] = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "-p");
    const data = path.join(clusters, version, name);
    owned(path.join(clusters, version));
    owned(sockets);
    let status = asPostgres(path.join(bin(version), "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
    if (status !== 0) process.exit(status);
    appendFileSync(path.join(data, "postgresql.auto.conf"), `port = ${port}\nunix_socket_directories = '${sockets}'\nlisten_addresses = 'localhost'\nfsync = off\n`);
    if (args.includes("--start")) status = asPostgres(path.join(bin(version), "pg_ctl"), ["-D", data, "-l", path.join(data, "log"), "-w", "-t", "30", "start"]);
    process.exit(status);
    break;
  }
  case "su": {
    // su postgres -c "COMMAND"
    const [user, flag, command] = args;
    if (user !== "postgres" || flag !== "-c" || command === undefined) {
      console.error(`su stand-in: only \`su postgres -c COMMAND\` is supported, got: su ${args.join(" ")}`);
      process.exit(1);
    }
    process.exit(asPostgres("sh", ["-c", command]));
    break;
  }
  default:
    console.error(`postgres stand-in: unknown tool ${tool}`);
    process.exit(1);
}
