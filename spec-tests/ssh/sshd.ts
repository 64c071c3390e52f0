import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A real sshd on loopback with a throwaway host key and client key, for the
 * deploy tests (architecture.md, "System tools for tests"). `TOVA_SSH_CONFIG`
 * points the CLI's ssh at it under the alias `tova-test`; `TOVA_REMOTE_PREFIX`
 * keeps every remote path inside the sandbox. `.ci/run` installs
 * openssh-server; without it these tests are skipped outside CI.
 */
export const SSHD = "/usr/sbin/sshd";
export const hasSshd = () => existsSync(SSHD);

export interface Sshd {
  dir: string;
  /** The remote root prefix: everything the deploy writes lands under it. */
  prefix: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-sshd-"));
  const key = (name: string) => spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, name)]);
  key("host_key");
  key("client_key");
  writeFileSync(path.join(dir, "authorized_keys"), spawnSync("cat", [path.join(dir, "client_key.pub")], { encoding: "utf8" }).stdout);
  chmodSync(path.join(dir, "authorized_keys"), 0o600);
  const port = await freePort();
  const user = os.userInfo().username;
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
      "",
    ].join("\n"),
  );
  writeFileSync(
    path.join(dir, "ssh_config"),
    [
      "Host tova-test",
      "  HostName 127.0.0.1",
      `  Port ${port}`,
      `  User ${user}`,
      `  IdentityFile ${path.join(dir, "client_key")}`,
      "  IdentitiesOnly yes",
      "  StrictHostKeyChecking no",
      "  UserKnownHostsFile /dev/null",
      "  LogLevel ERROR",
      "",
    ].join("\n"),
  );
  if (!existsSync("/run/sshd")) spawnSync("mkdir", ["-p", "/run/sshd"]);
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log += d));
  const prefix = path.join(dir, "root");
  const env = { TOVA_SSH_CONFIG: path.join(dir, "ssh_config"), TOVA_REMOTE_PREFIX: prefix };
  for (let i = 0; ; i++) {
    const r = spawnSync("ssh", ["-F", env.TOVA_SSH_CONFIG, "-o", "BatchMode=yes", "tova-test", "true"], { encoding: "utf8" });
    if (r.status === 0) break;
    if (i > 50 || child.exitCode !== null) throw new Error(`sshd did not start: ${log}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    dir,
    prefix,
    env,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
