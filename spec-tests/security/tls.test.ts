import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, start, stopAll } from "../server/harness.js";
import { DEFAULT_HEADERS, httpsCall, launch, makeCertificate, raw, removeTempDirs, request, serve, tempDir, waitForHttps } from "./attack.js";

/**
 * security.md, "tls { cert, key }": PEM text or paths to PEM files; the
 * server listens with TLS only; a missing or unreadable file stops the start
 * with one message naming it. Over HTTPS every answer carries
 * Strict-Transport-Security. The certificate is a throwaway one made here
 * with `openssl`.
 */
const PROGRAM = `
server {
  tls {
    cert: env("TLS_CERT"),
    key: env("TLS_KEY")
  }

  fn hello() { { hello: "over tls" } }

  route GET "/hello" => hello
}
`;

const certDir = tempDir("tls");
const { cert, key } = makeCertificate(certDir);
const ca = readFileSync(cert, "utf8");
const program = serve(PROGRAM, { launch: false });

beforeAll(() => program.ready, 60_000);
afterAll(async () => {
  await stopAll();
  cleanDirs();
  removeTempDirs();
});

async function startTls(env: Record<string, string>) {
  const running = await launch(program.built().file("server"), { env });
  await waitForHttps(running, ca);
  return running;
}

/** Starts the server expecting it to refuse to start; returns its exit code and output. */
async function failedStart(env: Record<string, string>) {
  const running = await start(program.built().file("server"), { env, waitForHealth: false });
  const timeout = new Promise<"still running">((r) => setTimeout(() => r("still running"), 6_000));
  const result = await Promise.race([running.exited, timeout]);
  await running.stop();
  return { result, output: running.output() };
}

describe("tls", () => {
  it("with PEM file paths: HTTPS answers, with HSTS and the default headers", async () => {
    const s = await startTls({ TLS_CERT: cert, TLS_KEY: key });
    const r = await httpsCall(`https://127.0.0.1:${s.port}/hello`, ca);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ hello: "over tls" });
    expect(r.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect(Number(/max-age=(\d+)/.exec(r.headers["strict-transport-security"] ?? "")?.[1])).toBeGreaterThan(0);
    expect(r.headers).toMatchObject(DEFAULT_HEADERS);
    // Error answers carry it too.
    expect((await httpsCall(`https://127.0.0.1:${s.port}/nothing-here`, ca)).headers["strict-transport-security"]).toMatch(/max-age=/);
  });

  it("TLS only: a plain-HTTP request to the port gets no HTTP answer from the app", async () => {
    const s = await startTls({ TLS_CERT: cert, TLS_KEY: key });
    const r = await raw(s.port, request("GET", "/hello"), { timeoutMs: 3_000 }).catch(() => null);
    expect(r === null || r.status === 400).toBe(true);
    expect(r?.body ?? "").not.toContain("over tls");
  });

  it("with the PEM text itself in the variables", async () => {
    const s = await startTls({ TLS_CERT: readFileSync(cert, "utf8"), TLS_KEY: readFileSync(key, "utf8") });
    expect((await httpsCall(`https://127.0.0.1:${s.port}/hello`, ca)).status).toBe(200);
  });

  it.each([
    ["a missing certificate file", () => ({ TLS_CERT: path.join(certDir, "missing-cert.pem"), TLS_KEY: key }), () => path.join(certDir, "missing-cert.pem")],
    ["a missing key file", () => ({ TLS_CERT: cert, TLS_KEY: path.join(certDir, "missing-key.pem") }), () => path.join(certDir, "missing-key.pem")],
    ["a key path that is a directory (unreadable)", () => ({ TLS_CERT: cert, TLS_KEY: certDir }), () => certDir],
  ] as const)("%s stops the start with one message naming it", async (_label, env, named) => {
    const { result, output } = await failedStart(env());
    expect(result).not.toBe("still running");
    expect(typeof result === "object" && result.code).not.toBe(0);
    expect(output).toContain(named());
    // One message, not a stack trace.
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
