import { spawn, spawnSync } from "node:child_process";

/**
 * How `tova deploy` and `tova env` reach a server: the system `ssh`, so the
 * user's aliases, keys and agent work as they do in a terminal
 * (`TOVA_SSH_CONFIG` names another ssh config file: the tests' sandboxed
 * sshd), or, inside the git hook on the server itself, a local bash. Every
 * script is sent on stdin to `bash -s`, so nothing in it needs another level
 * of quoting.
 */
export interface Remote {
  code: number;
  stdout: string;
  stderr: string;
  /** The connection itself failed (unreachable host, refused key): ssh's exit 255. */
  unreachable: boolean;
}

export interface Transport {
  /** The server as the user named it (`root@host`, an alias), for messages. */
  readonly label: string;
  run(script: string, timeoutMs?: number): Remote;
  /** Streams a gzipped tar of `entries` of `dir` (all of it by default) into `command` on the server. */
  upload(dir: string, command: string, entries?: readonly string[]): Promise<Remote>;
  /** Runs `command` on the server attached to this terminal (`--ssh`, `--logs`); resolves to its exit code. */
  attach(command: string, tty: boolean): Promise<number>;
  /** Runs `command` on the server and hands each line of its output to `line` as it comes (`--logs` of several hosts). */
  stream(command: string, line: (text: string) => void): Promise<number>;
}

export function sshArgs(server: string, extra: readonly string[] = []): string[] {
  const config = process.env["TOVA_SSH_CONFIG"];
  return [...(config ? ["-F", config] : []), "-o", "ConnectTimeout=10", ...extra, server];
}

export function sshTransport(server: string): Transport {
  const batch = sshArgs(server, ["-o", "BatchMode=yes"]);
  return {
    label: server,
    run(script, timeoutMs = 120_000) {
      return runScript("ssh", [...batch, "bash", "-s"], script, timeoutMs);
    },
    upload(dir, command, entries) {
      return pipeTar(dir, entries, "ssh", [...batch, command]);
    },
    attach(command, tty) {
      return attached("ssh", [...sshArgs(server, tty ? ["-t"] : []), command]);
    },
    stream(command, line) {
      return lines("ssh", [...batch, command], line);
    },
  };
}

/** The git hook runs on the server: the same steps, without ssh. */
export function localTransport(): Transport {
  return {
    label: "this server",
    run(script, timeoutMs = 120_000) {
      return runScript("bash", ["-s"], script, timeoutMs);
    },
    upload(dir, command, entries) {
      return pipeTar(dir, entries, "bash", ["-c", command]);
    },
    attach(command) {
      return attached("bash", ["-c", command]);
    },
    stream(command, line) {
      return lines("bash", ["-c", command], line);
    },
  };
}

/** A script on the standard input of `bash -s`, here or through ssh (whose exit 255 means the connection failed). */
function runScript(program: "ssh" | "bash", args: string[], script: string, timeoutMs: number): Remote {
  const r = spawnSync(program, args, { input: script, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const code = r.status ?? (program === "ssh" ? 255 : 1);
  const stderr = r.stderr || (r.error ? String(r.error.message) : "");
  return { code, stdout: r.stdout ?? "", stderr, unreachable: program === "ssh" && (code === 255 || !!r.error) };
}

function pipeTar(dir: string, entries: readonly string[] = ["."], program: string, args: string[]): Promise<Remote> {
  return new Promise((resolve) => {
    const tar = spawn("tar", ["-C", dir, "-czf", "-", "--", ...entries], { stdio: ["ignore", "pipe", "pipe"] });
    const receiver = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    tar.stdout.pipe(receiver.stdin);
    tar.stderr.on("data", (d: Buffer) => (stderr += d));
    receiver.stdout.on("data", (d: Buffer) => (stdout += d));
    receiver.stderr.on("data", (d: Buffer) => (stderr += d));
    receiver.stdin.on("error", () => {
      // The receiver closed early (a failed connection): its exit code says why.
    });
    let tarCode = 0;
    tar.on("close", (c) => (tarCode = c ?? 1));
    receiver.on("error", (e) => resolve({ code: 255, stdout, stderr: stderr + e.message, unreachable: true }));
    receiver.on("close", (c) => {
      const code = c ?? 255;
      resolve({ code: code === 0 && tarCode !== 0 ? tarCode : code, stdout, stderr, unreachable: program === "ssh" && code === 255 });
    });
  });
}

function attached(program: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: "inherit" });
    child.on("error", () => resolve(255));
    child.on("close", (c) => resolve(c ?? 1));
  });
}

/** Runs a program and hands each line of its output (stdout and stderr) to `line`; resolves to its exit code. */
function lines(program: string, args: string[], line: (text: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (d: string) => {
        const parts = (rest + d).split("\n");
        rest = parts.pop()!;
        for (const p of parts) line(p);
      });
      stream.on("end", () => {
        if (rest) line(rest);
      });
    }
    child.on("error", () => resolve(255));
    child.on("close", (c) => resolve(c ?? 1));
  });
}

/** One line for a connection that failed: the host and the last thing ssh said. */
export function unreachableMessage(server: Transport, r: Remote): string {
  return `cannot reach ${server.label} over ssh: ${r.stderr.trim().split("\n").pop() || "no answer"}`;
}

/** The host name ssh connects to for `target` (`ssh -G`: aliases and the user's config applied). */
export function sshHostname(target: string): string {
  const r = spawnSync("ssh", ["-G", ...sshArgs(target).slice(0, -1), target], { encoding: "utf8" });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("hostname "));
  return line ? line.slice("hostname ".length).trim() : target.replace(/^.*@/, "");
}
