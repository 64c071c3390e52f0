import { createHmac, createSign, generateKeyPairSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { buildProgram, start, type Built, type Running } from "../server/harness.js";

/**
 * Tools of the attack suite (issue 10): requests that `fetch` cannot send
 * (WHATWG URL parsing resolves `/./`, `/../` and `%2e%2e` before anything
 * leaves the client, and it cannot lie about framing), bodies streamed until
 * the server answers, hand-made JWTs, multipart bodies, HTTPS with a
 * throwaway CA, and temporary directories removed at the end.
 */

// ---------------------------------------------------------------- raw HTTP

export interface RawResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", " (Set-Cookie joined with "\n"). */
  headers: Record<string, string>;
  body: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: any;
}

export interface RawOptions {
  /** Local address to connect from (a 127.0.0.0/8 address other than 127.0.0.1 lets a test be "another client"). */
  localAddress?: string;
  host?: string;
  timeoutMs?: number;
  /** The request was HEAD: a response has no body whatever its Content-Length. */
  head?: boolean;
}

/**
 * Sends `request` (exact bytes) and reads one response. Rejects when the
 * connection closes or resets before a whole status line and headers arrive:
 * the issue counts a dropped connection as a failure, never as an answer.
 */
export function raw(port: number, request: string | Buffer, options: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? "127.0.0.1", localAddress: options.localAddress });
    const reader = responseReader(options.head ?? /^HEAD /.test(request.toString("latin1", 0, 5)));
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    let done = false;
    function finish(err: Error | null, res?: RawResponse) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(res!);
    }
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      const res = reader.push(chunk);
      if (res) finish(null, res);
    });
    socket.on("end", () => {
      const res = reader.end();
      finish(res ? null : new Error(`the connection closed without an answer (got ${JSON.stringify(reader.text().slice(0, 200))})`), res ?? undefined);
    });
    socket.on("error", (err) => {
      const res = reader.end();
      finish(res ? null : new Error(`the connection failed without an answer: ${err.message}`), res ?? undefined);
    });
  });
}

/** `METHOD target HTTP/1.1` with `headers` and an optional body (Content-Length added for a string body). */
export function request(method: string, target: string, headers: Record<string, string> = {}, body?: string): string {
  const all: Record<string, string> = { host: "127.0.0.1", connection: "close", ...headers };
  if (body !== undefined && !Object.keys(all).some((k) => k.toLowerCase() === "transfer-encoding")) all["content-length"] = String(Buffer.byteLength(body));
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body ?? ""}`;
}

/** `raw(port, request(method, target, headers, body))`. */
export function send(port: number, method: string, target: string, headers: Record<string, string> = {}, body?: string, options: RawOptions = {}): Promise<RawResponse> {
  return raw(port, request(method, target, headers, body), options);
}

/** Incremental HTTP/1.1 response parser (Content-Length, chunked, or until close). */
function responseReader(head: boolean) {
  let buf = Buffer.alloc(0);
  let parsed: { status: number; headers: Record<string, string>; bodyStart: number } | null = null;
  const parseHead = () => {
    const end = buf.indexOf("\r\n\r\n");
    if (end === -1) return null;
    const lines = buf.toString("latin1", 0, end).split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
    if (!m) return null;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      const k = line.slice(0, i).trim().toLowerCase();
      const v = line.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}${k === "set-cookie" ? "\n" : ", "}${v}` : v;
    }
    return { status: Number(m[1]), headers, bodyStart: end + 4 };
  };
  const build = (body: Buffer): RawResponse => {
    const text = body.toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: parsed!.status, headers: parsed!.headers, body: text, json };
  };
  const complete = (atEnd: boolean): RawResponse | null => {
    parsed ??= parseHead();
    if (!parsed) return null;
    const rest = buf.subarray(parsed.bodyStart);
    if (head || parsed.status === 204 || parsed.status === 304 || (parsed.status >= 100 && parsed.status < 200)) return build(Buffer.alloc(0));
    if (/chunked/i.test(parsed.headers["transfer-encoding"] ?? "")) {
      const out: Buffer[] = [];
      let at = 0;
      for (;;) {
        const eol = rest.indexOf("\r\n", at);
        if (eol === -1) return atEnd ? build(Buffer.concat(out)) : null;
        const size = parseInt(rest.toString("latin1", at, eol), 16);
        if (size === 0) return build(Buffer.concat(out));
        if (rest.length < eol + 2 + size + 2) return atEnd ? build(Buffer.concat(out)) : null;
        out.push(rest.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
    }
    const length = parsed.headers["content-length"];
    if (length !== undefined) return rest.length >= Number(length) ? build(rest.subarray(0, Number(length))) : atEnd ? build(rest) : null;
    return atEnd ? build(rest) : null;
  };
  return {
    push(chunk: Buffer) {
      buf = Buffer.concat([buf, chunk]);
      return complete(false);
    },
    end: () => complete(true),
    text: () => buf.toString("latin1"),
  };
}

export interface StreamedResult {
  /** The answer, or null when the connection closed or reset without one. */
  response: RawResponse | null;
  /** Body bytes written before the answer came (or the connection ended). */
  sent: number;
  error: string | null;
}

/**
 * Sends a request head, then `total` body bytes from `bodyAt(offset, n)` in
 * 64 KiB pieces, as chunked transfer encoding when `chunked`, stopping as
 * soon as an answer arrives. Resolves with the answer or null if none came:
 * a limit must be answered (413), not enforced by resetting the connection.
 */
export function streamBody(port: number, head: string, total: number, bodyAt: (offset: number, n: number) => Buffer, chunked: boolean, timeoutMs = 30_000): Promise<StreamedResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const reader = responseReader(false);
    let sent = 0;
    let done = false;
    const timer = setTimeout(() => finish(null, "timeout"), timeoutMs);
    function finish(res: RawResponse | null, error: string | null) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: res, sent, error });
    }
    const pump = () => {
      while (!done && sent < total) {
        const n = Math.min(65_536, total - sent);
        const piece = bodyAt(sent, n);
        const data = chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
        sent += n;
        if (!socket.write(data)) return void socket.once("drain", pump);
      }
      if (!done && chunked && sent >= total) socket.write("0\r\n\r\n");
    };
    socket.on("connect", () => {
      socket.write(head);
      pump();
    });
    socket.on("data", (chunk: Buffer) => {
      const res = reader.push(chunk);
      if (res) finish(res, null);
    });
    socket.on("end", () => finish(reader.end(), "closed"));
    socket.on("error", (err) => finish(reader.end(), err.message));
  });
}

/** A JSON body `{"<field>":"xxxx...",<rest>}` (`rest` like `"qty":1`) of exactly `total` bytes, produced piece by piece. */
export function bigJsonBody(total: number, field: string, rest: string): (offset: number, n: number) => Buffer {
  const prefix = Buffer.from(`{"${field}":"`);
  const suffix = Buffer.from(`"${rest ? `,${rest}` : ""}}`);
  const fill = total - prefix.length - suffix.length;
  if (fill < 0) throw new Error("body too small");
  const filler = Buffer.alloc(65_536, "x");
  return (offset, n) => {
    const out = n <= filler.length ? Buffer.from(filler.subarray(0, n)) : Buffer.alloc(n, "x");
    if (offset < prefix.length) prefix.copy(out, 0, offset, Math.min(prefix.length, offset + n));
    const suffixAt = prefix.length + fill;
    if (offset + n > suffixAt) {
      const from = Math.max(0, suffixAt - offset);
      suffix.copy(out, from, Math.max(0, offset - suffixAt), offset + n - suffixAt);
    }
    return out;
  };
}

// ---------------------------------------------------------------- servers

/**
 * Starts a built server without touching it first: the harness's `start`
 * polls `/healthz`, which a rate limit might count. Waits until the port
 * accepts a TCP connection.
 */
export async function launch(file: string, options: { env?: Record<string, string>; portEnv?: string; cwd?: string; port?: number } = {}): Promise<Running> {
  const running = await start(file, { ...options, waitForHealth: false });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (running.child.exitCode !== null) throw new Error(`the server exited with ${running.child.exitCode} before it listened:\n${running.output()}`);
    if (await canConnect(running.port)) return running;
    if (Date.now() > deadline) throw new Error(`the server did not listen within 15 s:\n${running.output()}`);
    await sleep(50);
  }
}

export interface Served {
  /** Resolves (never rejects) once the server listens or its build or start failed. */
  ready: Promise<void>;
  /** The running server; throws the build or start error, so only this program's tests fail. */
  get(): Running;
  built(): Built;
}

/**
 * Builds `source` (type-check on) and launches one of its servers. Several
 * programs of a file build in parallel; one that does not compile yet fails
 * its own tests, not the whole file.
 */
export function serve(source: string, options: { block?: string; env?: Record<string, string>; portEnv?: string; before?: (built: Built) => void | Promise<void>; launch?: boolean } = {}): Served {
  let running: Running | null = null;
  let built: Built | null = null;
  let error: unknown = null;
  const ready = (async () => {
    try {
      built = await buildProgram(source);
      await options.before?.(built);
      if (options.launch !== false) running = await launch(built.file("server", options.block ?? null), { env: options.env, portEnv: options.portEnv });
    } catch (err) {
      error = err;
    }
  })();
  return {
    ready,
    get() {
      if (error) throw error;
      if (!running) throw new Error("the server is not running (call get() after ready)");
      return running;
    },
    built() {
      if (error) throw error;
      return built!;
    },
  };
}

export function canConnect(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value or `ms` pass; returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, ms = 3_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > deadline) return v;
    await sleep(50);
  }
}

// ---------------------------------------------------------------- files

const tmpDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tova-attack-${prefix}-`));
  tmpDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every regular file under `dir` (relative paths), or [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const full = path.join(d, n);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------- JWT

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** A JWT with the given header and claims, signed with HMAC (`HS256`/`HS384`/`HS512`) or not at all. */
export function jwt(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }, hmac: "sha256" | "sha384" | "sha512" | null = "sha256"): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${hmac ? createHmac(hmac, secret).update(input).digest("base64url") : ""}`;
}

/** A real RS256 token, signed with a key pair made here. */
export function rs256(claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url")}`;
}

export const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------- multipart

export interface Part {
  name: string;
  /** Present for a file part; absent for a plain field (and for "a part without a file name"). */
  filename?: string;
  type?: string;
  data: string | Buffer;
}

export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----tova-attack-${Math.random().toString(16).slice(2)}`;
  const pieces: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}\r\n`;
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    pieces.push(Buffer.from(`${head}\r\n`), Buffer.from(p.data), Buffer.from("\r\n"));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A valid 1x1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
/** The first bytes of a JPEG (JFIF). */
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0"), Buffer.alloc(64, 1)]);

// ---------------------------------------------------------------- TLS

/** A throwaway self-signed certificate for 127.0.0.1 and localhost, made with `openssl`. */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key };
}

/** An HTTPS request that trusts only `ca`. */
export function httpsCall(url: string, ca: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, string>; body: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? "GET", headers: init.headers, ca, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join("\n") : String(v);
        resolve({ status: res.statusCode ?? 0, headers, body, json });
      });
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(init.body);
  });
}

/** Polls until an HTTPS `GET path` answers (a TLS server cannot be probed by the harness's plain-HTTP health check). */
export async function waitForHttps(running: Running, ca: string, probe = "/healthz"): Promise<void> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    if (running.child.exitCode !== null) throw new Error(`the server exited with ${running.child.exitCode}:\n${running.output()}`);
    try {
      await httpsCall(`https://127.0.0.1:${running.port}${probe}`, ca);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server did not answer HTTPS within 8 s:\n${running.output()}`);
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------- assertions

/** security.md: "Every response also carries ..." (HSTS only over HTTPS). */
export const DEFAULT_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};
