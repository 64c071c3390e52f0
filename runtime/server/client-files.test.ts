// The client's files (security.md, last paragraph): a server with a client
// block serves the page, the client module and exactly the modules it imports
// (the shared module, the runtime files and chunks), nothing else: not its
// own modules, not a local module only server code imports (issue 10: `GET
// /secrets.js` returned the key), not source maps, not the program's source.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBun, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const KEY = "sk_live_THE-SIGNING-KEY";

// The layout `tova build` writes: <stem>.server.js, <stem>.client.js, <stem>.shared.js, runtime/, local modules, maps.
const SERVER = `
import { sign } from "./secrets.js";
import { createApp } from "./runtime/server.js";
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/api/sign", () => ({ signed: sign("x") }), []);
app.serveClients(import.meta.dir, [{ entry: "app.client.js", mount: "/" }]);
await app.listen();
`;

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = workspace();
  const files: Record<string, string> = {
    "secrets.js": `export const KEY = "${KEY}";\nexport function sign(x) { return x + ":" + KEY.length; }\n`,
    "app.client.js": [
      `import { h, mount } from "./runtime/client.js";`,
      `import { twice } from "./app.shared.js";`,
      `// import { KEY } from "./secrets.js"  (a comment is not an import)`,
      `const decoy = "import x from './decoy.js'";`,
      `export const lazy = () => import("./widgets/chart.js");`,
      `mount(() => h("p", null, String(twice(2)) + decoy));`,
      `//# sourceMappingURL=app.client.js.map`,
    ].join("\n"),
    "app.shared.js": `import { t } from "./runtime/schema.js";\nexport * from "./util/format.js";\nexport const twice = (x) => x * 2;\n`,
    "util/format.js": `export const fmt = (x) => String(x);\n`,
    "widgets/chart.js": `import { fmt } from "../util/format.js";\nexport const chart = fmt;\n`,
    "decoy.js": `export const KEY = "${KEY}";\n`,
    "app.client.js.map": `{"version":3,"sourcesContent":["${KEY}"]}`,
    "app.shared.js.map": `{"version":3,"sourcesContent":["${KEY}"]}`,
    "app.tova": `server { }\n// ${KEY}\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  server = await startServer(writeProgram(dir, "app.server.js", SERVER));
}, 120_000);
afterAll(stopAll);

describe("the client's files", () => {
  it("serves the page, the client module and every module it imports, statically or dynamically", async () => {
    const page = await fetch(`${server.url}/`);
    expect(await page.text()).toContain('<script type="module" src="/app.client.js">');
    for (const file of ["app.client.js", "app.shared.js", "util/format.js", "widgets/chart.js", "runtime/client.js", "runtime/schema.js"]) {
      const res = await fetch(`${server.url}/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get("content-type"), file).toBe("text/javascript; charset=utf-8");
      expect(await res.text(), file).toBe(readFileSync(path.join(dir, file), "utf8"));
    }
  });

  it("serves the runtime chunks the client's runtime files import", async () => {
    const imported = new Set<string>();
    for (const entry of ["client.js", "schema.js"]) {
      for (const m of readFileSync(path.join(dir, "runtime", entry), "utf8").matchAll(/from\s*"\.\/(chunk-[\w-]+\.js)"/g)) imported.add(m[1]!);
    }
    expect(imported.size).toBeGreaterThan(0); // schema.js shares chunks with the other modules
    for (const chunk of imported) expect((await fetch(`${server.url}/runtime/${chunk}`)).status, chunk).toBe(200);
  });

  it("never serves a local module only the server imports, the server's own modules, maps, source or other runtime files", async () => {
    expect(await (await fetch(`${server.url}/api/sign`)).json()).toEqual({ signed: `x:${KEY.length}` });
    for (const file of [
      "secrets.js",
      "decoy.js",
      "app.server.js",
      "app.client.js.map",
      "app.shared.js.map",
      "app.tova",
      "runtime/server.js",
      "runtime/db.js",
      "runtime/server.d.ts",
      "runtime/../secrets.js",
      "util/../secrets.js",
      "%73ecrets.js",
      "nothing.js",
    ]) {
      const res = await fetch(`${server.url}/${file}`);
      expect(res.status, file).toBe(404);
      expect(await res.text(), file).not.toContain(KEY);
    }
  });

  it("refuses to start when the client module is missing, in one line", async () => {
    const program = SERVER.replace('"app.client.js"', '"gone.client.js"');
    const r = await runBun(writeProgram(dir, "missing-client.js", program), { PORT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`tova: the client module gone.client.js is missing from ${dir}`);
  });
});
