import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../server/harness.js";

/**
 * A real sshd on loopback with a throwaway host key and client key, for the
 * deploy tests (architecture.md, "System tools for tests"). `TOVA_SSH_CONFIG`
 * points the CLI's ssh at it under the alias `tova-test` (or the one given;
 * `sshConfigOf` joins several into one config). Its sessions get (sshd's
 * SetEnv) `TOVA_PREFIX`, the sandbox root every remote path of provision.sh
 * and `tova deploy` hangs off, and a PATH whose first directory
 * holds the stand-ins for what needs an init system, the internet or the real
 * /etc: apt-get, ufw and useradd only record their calls; systemctl and
 * journalctl run the app's units with Bun (stand-ins/systemd.mjs);
 * pg_lsclusters, pg_createcluster and `su postgres -c` run a real PostgreSQL
 * whose clusters live under the prefix (stand-ins/postgres.mjs). `.ci/run`
 * installs openssh-server; without it these tests are skipped outside CI.
 */
export const SSHD = "/usr/sbin/sshd";
export const hasSshd = () => existsSync(SSHD);

export interface Sshd {
  dir: string;
  /** The ssh alias of this sshd (`tova-test` unless `startSshd` was given another). */
  alias: string;
  /** Its ssh config (the alias's Host block), for `sshConfigOf`. */
  sshConfig: string;
  /** The remote root prefix: everything the deploy writes lands under it. */
  prefix: string;
  /** The environment for the CLI (the ssh config to use). */
  env: Record<string, string>;
  /** Every call of a stand-in so far, one `tool args` line each. */
  calls(): string[];
  stop(): Promise<void>;
}

const STAND_INS = path.join(path.dirname(fileURLToPath(import.meta.url)), "stand-ins");
const BUN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin", "bun");

/**
 * The first port for the sandbox registry's `first_port`: a free one with
 * room after it (3000 onwards may be taken by other tests running alongside).
 */
export async function portBase(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 60_000) return p;
  }
}

/**
 * One ssh config naming several sandboxed sshd, each under its own alias
 * (`startSshd("tova-test-1")`, ...): the environment for a CLI that reaches
 * all of them (a deploy block with `server:` as a list). Written into the
 * first sshd's directory, so it goes when that one stops.
 */
export function sshConfigOf(sshds: readonly Sshd[]): Record<string, string> {
  const file = path.join(sshds[0]!.dir, "ssh_config_all");
  writeFileSync(file, sshds.map((s) => s.sshConfig).join(""));
  return { TOVA_SSH_CONFIG: file };
}

export async function startSshd(alias = "tova-test"): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-sshd-"));
  // Traversable by the `postgres` user, whose clusters the stand-ins keep under the prefix (nothing in it is listable).
  chmodSync(dir, 0o711);
  const key = (name: string) => spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, name)]);
  key("host_key");
  key("client_key");
  writeFileSync(path.join(dir, "authorized_keys"), spawnSync("cat", [path.join(dir, "client_key.pub")], { encoding: "utf8" }).stdout);
  chmodSync(path.join(dir, "authorized_keys"), 0o600);
  const port = await freePort();
  const user = os.userInfo().username;
  const prefix = path.join(dir, "root");
  const bin = path.join(dir, "bin");
  const callsLog = path.join(dir, "calls.log");
  const state = path.join(dir, "state");
  mkdirSync(prefix);
  mkdirSync(bin);
  writeFileSync(callsLog, "");
  for (const tool of ["apt-get", "ufw", "useradd"]) symlinkSync(path.join(STAND_INS, "record"), path.join(bin, tool));
  for (const tool of ["systemctl", "journalctl"]) {
    writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec ${process.execPath} ${path.join(STAND_INS, "systemd.mjs")} ${tool} "$@"\n`, { mode: 0o755 });
  }
  // Debian's cluster tools, over real PostgreSQL clusters kept under the prefix (stand-ins/postgres.mjs).
  for (const tool of ["pg_lsclusters", "pg_createcluster", "su"]) {
    writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec ${process.execPath} ${path.join(STAND_INS, "postgres.mjs")} ${tool} "$@"\n`, { mode: 0o755 });
  }
  symlinkSync(BUN, path.join(bin, "bun"));
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host_key")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "PermitRootLogin yes",
      `SetEnv TOVA_PREFIX=${prefix} TOVA_TEST_CALLS=${callsLog} TOVA_TEST_STATE=${state} PATH=${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      "",
    ].join("\n"),
  );
  const sshConfig = [
    `Host ${alias}`,
    "  HostName 127.0.0.1",
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${path.join(dir, "client_key")}`,
    "  IdentitiesOnly yes",
    "  StrictHostKeyChecking no",
    "  UserKnownHostsFile /dev/null",
    "  LogLevel ERROR",
    "",
  ].join("\n");
  writeFileSync(path.join(dir, "ssh_config"), sshConfig);
  if (!existsSync("/run/sshd")) spawnSync("mkdir", ["-p", "/run/sshd"]);
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log += d));
  const env = { TOVA_SSH_CONFIG: path.join(dir, "ssh_config") };
  for (let i = 0; ; i++) {
    const r = spawnSync("ssh", ["-F", env.TOVA_SSH_CONFIG, "-o", "BatchMode=yes", alias, "true"], { encoding: "utf8" });
    if (r.status === 0) break;
    if (i > 50 || child.exitCode !== null) throw new Error(`sshd did not start: ${log}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    dir,
    alias,
    sshConfig,
    prefix,
    env,
    calls: () => readFileSync(callsLog, "utf8").split("\n").filter(Boolean),
    async stop() {
      // Every app the systemctl stand-in started, then sshd.
      const units = path.join(state, "units");
      for (const f of existsSync(units) ? readdirSync(units).filter((f) => f.endsWith(".pid")) : []) {
        try {
          process.kill(Number(readFileSync(path.join(units, f), "utf8")), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      stopClusters(prefix);
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      if (!process.env["TOVA_TEST_KEEP"]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops the PostgreSQL clusters the stand-ins made under `prefix`. */
function stopClusters(prefix: string): void {
  const root = path.join(prefix, "var/lib/postgresql");
  if (!existsSync(root)) return;
  for (const version of readdirSync(root)) {
    for (const name of readdirSync(path.join(root, version))) {
      const data = path.join(root, version, name);
      if (!existsSync(path.join(data, "postmaster.pid"))) continue;
      spawnSync("runuser", ["-u", "postgres", "--", path.join("/usr/lib/postgresql", version, "bin", "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"], { cwd: "/" });
    }
  }
}
