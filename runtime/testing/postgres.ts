// Test support: a real PostgreSQL server of the test's own (Debian's
// `postgresql` package, which `.ci/run` installs), made with initdb in a
// temporary directory and started with pg_ctl on a free port on 127.0.0.1.
// About a second to start; every cluster started is stopped and removed by
// `stopPostgres()` (call it in afterAll). PostgreSQL refuses to run as root,
// so under root the cluster belongs to the `postgres` user the package made.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./ports.js";

export interface Postgres {
  /** `postgres://tova@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** A new, empty database on this server; answers its URL. */
  database(name: string): Promise<string>;
}

const clusters: { dir: string; run: (args: string[]) => ReturnType<typeof spawnSync> }[] = [];

/** The directory of initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], "bin");
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : null;
}

/**
 * Whether these tests can run here. In CI (`CI=true`) PostgreSQL must be
 * there (`.ci/run` installs it), so its absence is a failure, not a skip.
 */
export function havePostgres(): boolean {
  if (postgresBin()) return true;
  if (process.env.CI) throw new Error("PostgreSQL is not installed (initdb not found); .ci/run installs Debian's postgresql package");
  console.warn("PostgreSQL is not installed (apt-get install postgresql): its tests are skipped");
  return false;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (initdb not found)");
  const dir = mkdtempSync(path.join(tmpdir(), "tova-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(ids.stdout), Number(gid.stdout));
  }
  chmodSync(dir, 0o700);
  const run = (args: string[]) => {
    const [cmd, ...rest] = args;
    const full = path.join(bin, cmd!);
    return asRoot ? spawnSync("runuser", ["-u", "postgres", "--", full, ...rest], { encoding: "utf8" }) : spawnSync(full, rest, { encoding: "utf8" });
  };
  clusters.push({ dir, run });
  const data = path.join(dir, "data");
  const init = run(["initdb", "-D", data, "-A", "trust", "-U", "tova", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    const started = run(["pg_ctl", "-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "30", "start"]);
    if (started.status === 0) {
      const url = `postgres://tova@127.0.0.1:${port}/postgres`;
      return {
        url,
        port,
        async database(name: string) {
          if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a database name: ${name}`);
          const psql = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE DATABASE ${name}`], { encoding: "utf8" });
          if (psql.status !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${psql.stderr}`);
          return `postgres://tova@127.0.0.1:${port}/${name}`;
        },
      };
    }
    if (attempt === 2) throw new Error(`pg_ctl start failed:\n${started.stdout}${started.stderr}`);
  }
}

/** Stops every cluster this process started and removes its files. */
export function stopPostgres(): void {
  for (const { dir, run } of clusters.splice(0)) {
    run(["pg_ctl", "-D", path.join(dir, "data"), "-m", "immediate", "-w", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  }
}
