// `tls { cert, key }` (security.md, "Server statements") against real Bun
// servers, with a throwaway certificate made here by `openssl` (Debian's
// package; `.ci/run` installs it when missing): HTTPS only, PEM text or files,
// and a start stopped in one line naming the file when one is missing or wrong.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBun, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const program = (tls: string) => `
import { createApp } from "./runtime/server.js";
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/hello", () => ({ hello: "over tls" }), []);
app.route("POST", "/login", (req, res) => { req.session.set("user", "ann"); return { ok: true }; }, "req-res");
app.config("tls", ${tls});
app.config("sessions", { secret: "tls-test-secret", database: "tls-sessions.db" });
await app.listen();
`;

let dir: string;
let ca: string;
const files: Record<string, string> = {};

/** A self-signed certificate for 127.0.0.1, and its key, in `dir/<name>.{cert,key}.pem`. */
function makeCertificate(name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.cert.pem`);
  const key = path.join(dir, `${name}.key.pem`);
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", `/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl failed (install Debian's openssl): ${r.error?.message ?? r.stderr}`);
  return { cert, key };
}

function get(port: string, pathname: string, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string; cn: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port: Number(port), path: pathname, method, ca }, (res) => {
      let body = "";
      const cn = (res.socket as import("node:tls").TLSSocket).getPeerCertificate().subject?.CN;
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, cn }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(() => {
  dir = workspace();
  const good = makeCertificate("tova-test");
  const other = makeCertificate("someone-else");
  Object.assign(files, { cert: good.cert, key: good.key, otherKey: other.key });
  ca = readFileSync(good.cert, "utf8");
  mkdirSync(path.join(dir, "a-directory.pem"));
}, 120_000);
afterAll(stopAll);

async function startTls(name: string, tls: string): Promise<Server & { port: string }> {
  const s = await startServer(writeProgram(dir, name, program(tls)));
  return { ...s, port: new URL(s.url).port };
}

describe("tls", () => {
  it("listens with TLS, from PEM files, presenting the certificate", async () => {
    const s = await startTls("tls-files.js", JSON.stringify({ cert: files.cert, key: files.key }));
    const res = await get(s.port, "/hello");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ hello: "over tls" });
    expect(res.cn).toBe("tova-test");
  });

  it("takes PEM text as well as paths", async () => {
    const s = await startTls("tls-text.js", JSON.stringify({ cert: readFileSync(files.cert!, "utf8"), key: readFileSync(files.key!, "utf8") }));
    expect((await get(s.port, "/hello")).status).toBe(200);
  });

  it("listens with TLS only: a plain HTTP request gets no answer", async () => {
    const s = await startTls("tls-only.js", JSON.stringify({ cert: files.cert, key: files.key }));
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(s.port), "127.0.0.1", () => socket.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("close", () => resolve(data));
      socket.on("error", () => resolve(data));
      setTimeout(() => socket.destroy(), 3000);
    });
    expect(answer).not.toMatch(/^HTTP\/1\.[01] 2/);
    expect(answer).not.toContain("over tls");
  });

  it("marks the session cookie Secure over HTTPS", async () => {
    const s = await startTls("tls-session.js", JSON.stringify({ cert: files.cert, key: files.key }));
    const res = await get(s.port, "/login", "POST");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/^tova_sid=/);
    expect(cookie).toContain("; Secure");
  });

  const refusals: [string, () => string, RegExp][] = [
    ["a missing certificate file", () => JSON.stringify({ cert: path.join(dir, "missing.pem"), key: files.key }), /^tova: tls: the certificate file \/.*\/missing\.pem does not exist$/],
    ["a missing key file, relative", () => JSON.stringify({ cert: files.cert, key: "nope/key.pem" }), /^tova: tls: the private key file nope\/key\.pem \(\/.*\/nope\/key\.pem\) does not exist$/],
    ["a directory for the key", () => JSON.stringify({ cert: files.cert, key: path.join(dir, "a-directory.pem") }), /^tova: tls: the private key file .*a-directory\.pem is a directory$/],
    ["a file that is not a certificate", () => JSON.stringify({ cert: path.join(dir, "runtime", "server.js"), key: files.key }), /^tova: tls: cert \(file .*server\.js\) is not a PEM certificate$/],
    ["a key of another certificate", () => JSON.stringify({ cert: files.cert, key: files.otherKey }), /^tova: tls: key \(file .*someone-else\.key\.pem\) does not belong to the certificate \(file .*tova-test\.cert\.pem\)$/],
    ["no key", () => JSON.stringify({ cert: files.cert }), /^tova: tls: key must be the private key as PEM text or the path of a PEM file$/],
  ];
  for (const [what, config, message] of refusals) {
    it(`refuses to start with ${what}, in one line without a stack trace`, async () => {
      const r = await runBun(writeProgram(dir, "tls-bad.js", program(config())), { PORT: "0" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).not.toContain('"listening"');
    });
  }
});
