import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll, type Running } from "../server/harness.js";
import { launch, removeTempDirs, send, tempDir } from "./attack.js";

/**
 * Issue 10's module leak, and security.md's last rule: "A server never serves
 * its own modules, the program's source, local modules or anything outside
 * the client's files and `static`'s directory." The program imports a local
 * module holding a key; it is built with the CLI (`tova build`, which bundles
 * local modules beside the output) and run from the output directory.
 */
const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "cli", "bin.cjs");
const KEY = "sk_live_attack_suite_4242";

const APP = `import { sign } from "./secrets.js"

server {
  fn token(name: String) { sign(name) }
}

client {
  state name = "ada"

  component App {
    <p>Hello {name}</p>
  }
}
`;

let server: Running;

beforeAll(async () => {
  const dir = tempDir("client-files");
  mkdirSync(path.join(dir, "lib"));
  writeFileSync(path.join(dir, "app.tova"), APP);
  writeFileSync(path.join(dir, "secrets.js"), `import { pepper } from "./lib/pepper.js";\nexport const SIGNING_KEY = "${KEY}";\nexport function sign(s) { return s + ":" + SIGNING_KEY + pepper; }\n`);
  writeFileSync(path.join(dir, "lib", "pepper.js"), `export const pepper = "${KEY}-pepper";\n`);
  writeFileSync(path.join(dir, ".env"), `SECRET=${KEY}\n`);
  const built = spawnSync(process.execPath, [CLI, "build", "app.tova", "--out", "out"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (built.status !== 0) throw new Error(`tova build failed:\n${built.stdout}${built.stderr}`);
  server = await launch(path.join(dir, "out", "app.server.js"));
}, 60_000);

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

describe("the client's files, and nothing else", () => {
  it("the server uses the module (the key is really there to leak)", async () => {
    const r = await send(server.port, "POST", "/rpc/token", { "content-type": "application/json" }, JSON.stringify({ __args: ["x"] }));
    expect(r.json.result).toContain(KEY);
  });

  it("the page and every module it loads are served, and none holds the key", async () => {
    const page = await send(server.port, "GET", "/");
    expect(page.status).toBe(200);
    const queue = [...page.body.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    expect(queue.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    while (queue.length) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const r = await send(server.port, "GET", url);
      expect(r.status, url).toBe(200);
      expect(r.body, url).not.toContain(KEY);
      for (const m of r.body.matchAll(/(?:from|import)\s*\(?\s*"(\.\.?\/[^"]+)"/g)) queue.push(path.posix.join(path.posix.dirname(url), m[1]!));
    }
    expect([...seen].some((u) => u.includes("secrets"))).toBe(false);
  });

  it.each([
    "/secrets.js",
    "/secrets.js.map",
    "/lib/pepper.js",
    "/Secrets.js",
    "/secrets.js?x=1",
    "/./secrets.js",
    "//secrets.js",
    "/%73ecrets.js",
    "/runtime/../secrets.js",
    "/runtime/%2e%2e/secrets.js",
    "/app.server.js",
    "/app.server.js.map",
    "/app.shared.js.map",
    "/app.client.js.map",
    "/runtime/server.js",
    "/runtime/db.js",
    "/.tova-build.json",
    "/.env",
    "/../app.tova",
    "/%2e%2e/app.tova",
    "/../secrets.js",
    "/../.env",
  ])("GET %s: 404, nothing of the key", async (target) => {
    const r = await send(server.port, "GET", target);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(KEY);
    expect(r.body).not.toContain("createApp");
  });
});
