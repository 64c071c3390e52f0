import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll } from "../server/harness.js";

/**
 * security.md: `protect "/rpc/*"` closes the RPC endpoints to everyone without
 * a token, but not to the application's own servers: a peer's call is signed
 * with TOVA_APP_KEY, and the server that makes it already admitted the request
 * it serves. A stranger (no signature, or signed with another key) still gets 401.
 */
const PROGRAM = `
security {
  auth jwt { secret: env("JWT_SECRET") }
  protect "/rpc/*" { require: authenticated }
}

server "api" {
  discover "ledger" at "http://localhost:3998"
  fn total() -> Int { ledger.balance() }
  route GET "/open/total" => total
}

server "ledger" {
  fn balance() -> Int { 42 }
}
`;

afterEach(async () => {
  await stopAll();
  cleanDirs();
});

describe("peer calls under protect /rpc/*", () => {
  it("the app's own server gets through; a client without a token, or signing with another key, does not", async () => {
    const built = await buildProgram(PROGRAM);
    const key = randomBytes(32).toString("hex");
    const env = { JWT_SECRET: "peer-test-secret-0123456789", TOVA_APP_KEY: key };
    const ledger = await start(built.file("server", "ledger"), { portEnv: "PORT_LEDGER", env });
    const api = await start(built.file("server", "api"), { portEnv: "PORT_API", env: { ...env, PORT_LEDGER: String(ledger.port) } });
    expect(await call(`${api.url}/open/total`)).toMatchObject({ status: 200, body: 42 });
    expect((await call(`${ledger.url}/rpc/balance`, { json: { __args: [] } })).status).toBe(401);
    const stranger = { "x-tova-timestamp": String(Date.now()), "x-tova-signature": "00".repeat(32) };
    expect((await call(`${ledger.url}/rpc/balance`, { json: { __args: [] }, headers: stranger })).status).toBe(401);
  }, 60_000);
});
