import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, cleanDirs, start, stopAll, type Running } from "../server/harness.js";
import { closeBrowser, haveChromium, openPage } from "./chromium.js";

/**
 * client.md's program in a real browser: state, computed, an effect that
 * loads from the server, a keyed list, `if`, `bind:value` and a component,
 * driven by real key presses and clicks and checked on the DOM.
 */
const SPEC = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "spec", "client.md"), "utf8");
const PROGRAM = /```tova\n([\s\S]*?)```/.exec(SPEC)![1]!;
const enabled = haveChromium();
let server: Running;

beforeAll(async () => {
  if (!enabled) return;
  const built = await buildProgram(PROGRAM);
  server = await start(built.file("server"));
}, 60_000);

afterAll(async () => {
  await closeBrowser();
  await stopAll();
  cleanDirs();
});

describe.skipIf(!enabled)("client.md's program in Chromium", () => {
  it("renders, loads from the server, adds through the input, and keeps the page in step", async () => {
    const { page, errors } = await openPage(server.url + "/");
    await page.waitForSelector("main h1");
    expect(await page.textContent("h1")).toBe("Todos (0 left)");
    expect(await page.textContent("main p")).toBe("Nothing to do");
    expect(await page.isDisabled("button")).toBe(true);

    await page.click("input");
    await page.keyboard.type("write tests");
    expect(await page.inputValue("input")).toBe("write tests");
    expect(await page.isDisabled("button")).toBe(false);
    // The input kept its focus while its own value changed on every key.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("INPUT");

    await page.click("button");
    await page.waitForSelector("ul li");
    expect(await page.$$eval("ul li", (lis) => lis.map((li) => li.textContent))).toEqual(["write tests"]);
    expect(await page.textContent("h1")).toBe("Todos (1 left)");
    expect(await page.inputValue("input")).toBe("");
    expect(await page.$("main p")).toBeNull(); // the `if` switched branch

    await page.click("input");
    await page.keyboard.type("ship it");
    await page.click("button");
    await page.waitForFunction(() => document.querySelectorAll("ul li").length === 2);
    expect(await page.$$eval("ul li", (lis) => lis.map((li) => li.textContent))).toEqual(["write tests", "ship it"]);
    expect(await page.textContent("h1")).toBe("Todos (2 left)");

    // A reload loads the server's list through the effect.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll("ul li").length === 2);
    expect(await page.textContent("h1")).toBe("Todos (2 left)");
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
