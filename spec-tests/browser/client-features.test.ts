import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, freePort, start, stopAll, type Built, type Running } from "../server/harness.js";
import { closeBrowser, haveChromium, openPage } from "./chromium.js";

/**
 * Client blocks in Chromium, as a user writes them (client.md): a page served
 * by the default server whose functions live in a named one (forwarded, one
 * origin), a named client at /admin/, a component with props, an effect
 * that re-runs when the state it reads changes, an RPC error shown by the
 * page, text with <script> in it shown as text, a keyed list that moves its
 * rows (the input keeps its focus), and exactly one DOM change for one state
 * read by one text node.
 */
const NOTES = `
shared {
  type Note { id: Int, text: String, pinned: Bool }
}

server {
  fn ping() -> String { "pong" }
}

server "api" {
  var notes: [Note] = []

  fn list_notes(query: String) -> [Note] {
    notes |> filter(fn(n) contains(n.text, query))
  }

  fn add_note(text: String) -> Result<Note, String> {
    if trim(text) == "" {
      Err("a note needs text")
    } else {
      note = Note { id: len(notes) + 1, text: text, pinned: false }
      notes = [...notes, note]
      Ok(note)
    }
  }
}

client {
  state notes: [Note] = []
  state draft = ""
  state query = ""
  state shown_for = ""
  state problem = ""
  state clicks = 0

  effect {
    found = server.list_notes(query)
    notes = found
    shown_for = query
  }

  fn add() {
    try {
      note = server.add_note(draft)
      notes = [...notes, note]
      draft = ""
      problem = ""
    } catch e {
      problem = e.message
    }
  }

  fn on_key(e) {
    if e.key == "Enter" {
      add()
    }
  }

  fn reverse_notes() {
    notes = notes |> reverse()
  }

  component NoteRow(note: Note, marker: String) {
    <li class="note" data-id={note.id}>{marker} {note.text}</li>
  }

  component App {
    <main>
      <input id="draft" bind:value={draft} onkeydown={on_key} />
      <input id="query" bind:value={query} />
      <p id="problem">{problem}</p>
      <p id="shown">Showing {len(notes)} for "{shown_for}"</p>
      <button id="reverse" onclick={reverse_notes}>Reverse</button>
      <button id="click" onclick={fn() clicks = clicks + 1}>Click</button>
      <span id="clicks">{clicks}</span>
      <span id="evil" onmouseover={problem}>hover</span>
      <ul>
        for note in notes key note.id {
          <NoteRow note={note} marker="*" />
        }
      </ul>
    </main>
  }
}

client "admin" {
  state total = 0
  effect {
    total = len(server.list_notes(""))
  }
  component App {
    <section>
      <h2>Admin</h2>
      <p id="total">{total} notes</p>
    </section>
  }
}
`;

const enabled = haveChromium();
let built: Built;
let web: Running;
let api: Running;

beforeAll(async () => {
  if (!enabled) return;
  built = await buildProgram(NOTES);
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const env = { TOVA_APP_KEY: randomBytes(32).toString("hex"), PORT: String(webPort), PORT_API: String(apiPort) };
  api = await start(built.file("server", "api"), { port: apiPort, portEnv: "PORT_API", env });
  web = await start(built.file("server"), { port: webPort, env });
}, 60_000);

afterAll(async () => {
  await closeBrowser();
  await stopAll();
  cleanDirs();
});

describe.skipIf(!enabled)("client blocks in Chromium", () => {
  it("calls the api block's functions through the page's own server, and shows an RPC error's text", async () => {
    const { page, errors } = await openPage(`${web.url}/`);
    await page.waitForSelector("#shown");
    await page.waitForFunction(() => document.querySelector("#shown")?.textContent === 'Showing 0 for ""');
    await page.click("#draft");
    await page.keyboard.type("first note");
    await page.keyboard.press("Enter");
    await page.waitForSelector("li.note");
    expect(await page.textContent("li.note")).toBe("* first note");
    expect(await page.getAttribute("li.note", "data-id")).toBe("1");
    expect(await page.inputValue("#draft")).toBe("");
    // Enter added the note and the list grew: the input still has the focus.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("draft");
    // An empty note: the server's Err arrives as the error's message.
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#problem")?.textContent !== "");
    expect(await page.textContent("#problem")).toBe("a note needs text");
    // The page's server forwarded the call: the api block has the note.
    expect((await call(`${api.url}/rpc/list_notes`, { json: { __args: [""] } })).body.result).toEqual([{ id: 1, text: "first note", pinned: false }]);
    // Request lines are buffered: the page server's line for the forwarded call follows shortly.
    for (let i = 0; i < 50 && !web.output().includes('"path":"/rpc/add_note"'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(web.output()).toContain('"path":"/rpc/add_note"');
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await page.close();
  }, 30_000);

  it("re-runs an effect when the state it reads changes", async () => {
    for (const text of ["apple pie", "apple juice", "banana"]) await call(`${web.url}/rpc/add_note`, { json: { __args: [text] } });
    const { page, errors } = await openPage(`${web.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("li.note").length === 4);
    await page.click("#query");
    await page.keyboard.type("apple");
    await page.waitForFunction(() => document.querySelector("#shown")?.textContent === 'Showing 2 for "apple"');
    expect(await page.$$eval("li.note", (lis) => lis.map((li) => li.textContent))).toEqual(["* apple pie", "* apple juice"]);
    await page.fill("#query", "");
    await page.waitForFunction(() => document.querySelectorAll("li.note").length === 4);
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it("moves the rows of a keyed list instead of rebuilding them", async () => {
    const { page } = await openPage(`${web.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("li.note").length === 4);
    await page.evaluate(() => ((window as any).before = [...document.querySelectorAll("li.note")]));
    await page.click("#reverse");
    const same = await page.evaluate(() => {
      const now = [...document.querySelectorAll("li.note")];
      const before = (window as any).before as Element[];
      return now.length === before.length && now.every((li, i) => li === before[before.length - 1 - i]);
    });
    expect(same).toBe(true);
    expect(await page.$$eval("li.note", (lis) => lis.map((li) => li.getAttribute("data-id")))).toEqual(["4", "3", "2", "1"]);
    await page.close();
  }, 30_000);

  it("changes exactly one DOM node when one state read by one text node changes", async () => {
    const { page } = await openPage(`${web.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("li.note").length === 4);
    await page.evaluate(() => {
      const records: MutationRecord[] = [];
      (window as any).records = records;
      new MutationObserver((list) => records.push(...list)).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.click("#click");
    await page.waitForFunction(() => document.querySelector("#clicks")?.textContent === "1");
    const changes = await page.evaluate(() => (window as any).records.map((r: MutationRecord) => ({ type: r.type, parent: (r.target.parentNode as Element | null)?.id, text: r.target.textContent })));
    expect(changes).toEqual([{ type: "characterData", parent: "clicks", text: "1" }]);
    await page.close();
  }, 30_000);

  it("shows text with <script> in it as text", async () => {
    const attack = `<script>window.hacked = 1</script><img src=x onerror="window.hacked = 2">`;
    await call(`${web.url}/rpc/add_note`, { json: { __args: [attack] } });
    const { page } = await openPage(`${web.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("li.note").length === 5);
    expect(await page.textContent("li.note:last-child")).toBe(`* ${attack}`);
    expect(await page.$$("li.note script, li.note img")).toHaveLength(0);
    expect(await page.evaluate(() => (window as any).hacked)).toBeUndefined();
    // Text where a handler goes is refused, not set as an inline handler.
    expect(await page.getAttribute("#evil", "onmouseover")).toBeNull();
    await page.close();
  }, 30_000);

  it("serves a named client at /admin/ from the same server (and /admin redirects there)", async () => {
    const redirect = await fetch(`${web.url}/admin`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/admin/");
    const { page, errors } = await openPage(`${web.url}/admin`);
    await page.waitForFunction(() => document.querySelector("#total")?.textContent === "5 notes");
    expect(await page.textContent("h2")).toBe("Admin");
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it("answers 503 naming the owner when the block that defines the function is down", async () => {
    await api.stop();
    const r = await call(`${web.url}/rpc/list_notes`, { json: { __args: [""] } });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: "the api server is unavailable", peer: "api" });
  });
});

describe.skipIf(!enabled)("named-blocks.md's multi-server example", () => {
  it("fills the client's user list from api", async () => {
    const spec = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "spec", "named-blocks.md"), "utf8");
    const source = [...spec.matchAll(/```tova\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('server "worker"') && b.includes("client {"))!;
    const multi = await buildProgram(source);
    const ports = { api: await freePort(), realtime: await freePort(), worker: await freePort() };
    const env = { TOVA_APP_KEY: randomBytes(32).toString("hex"), PORT_API: String(ports.api), PORT_REALTIME: String(ports.realtime), PORT_WORKER: String(ports.worker) };
    const apiServer = await start(multi.file("server", "api"), { port: ports.api, portEnv: "PORT_API", env });
    await start(multi.file("server", "realtime"), { port: ports.realtime, portEnv: "PORT_REALTIME", env });
    await call(`${apiServer.url}/rpc/create_user`, { json: { __args: ["Ada", "ada@example.com"] } });
    await call(`${apiServer.url}/rpc/create_user`, { json: { __args: ["Grace", "grace@example.com"] } });
    const { page, errors } = await openPage(`${apiServer.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("li").length === 2);
    expect(await page.textContent("h1")).toBe("Users (2)");
    expect(await page.$$eval("li", (lis) => lis.map((li) => li.textContent))).toEqual(["Ada", "Grace"]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
