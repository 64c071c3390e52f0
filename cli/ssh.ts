import { spawnSync } from "node:child_process";

/**
 * SSH to a deploy target with the system `ssh`, so the user's aliases, keys
 * and agent work as they do in a terminal. `TOVA_SSH_CONFIG` names another
 * ssh config file (the tests' sandboxed sshd); `TOVA_REMOTE_PREFIX` puts
 * every remote path under a directory (the tests' root prefix).
 */
export function sshArgs(server: string): string[] {
  const config = process.env["TOVA_SSH_CONFIG"];
  return [...(config ? ["-F", config] : []), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", server];
}

export function remoteRoot(): string {
  return `${process.env["TOVA_REMOTE_PREFIX"] ?? ""}/opt/tova`;
}

export interface Remote {
  code: number;
  stdout: string;
  stderr: string;
  /** ssh itself failed (unreachable host, refused key): exit 255. */
  unreachable: boolean;
}

/** Runs a bash script on the server (sent on stdin, so nothing in it needs another level of quoting). */
export function runRemote(server: string, script: string, timeoutMs = 60_000): Remote {
  const r = spawnSync("ssh", [...sshArgs(server), "bash", "-s"], { input: script, encoding: "utf8", timeout: timeoutMs });
  const code = r.status ?? 255;
  return { code, stdout: r.stdout ?? "", stderr: r.stderr ?? "", unreachable: code === 255 || !!r.error };
}
