import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, cleanDirs, start, stopAll, type Running } from "../server/harness.js";
import { closeBrowser, haveChromium, openPage } from "./chromium.js";

/**
 * A client block written the way the spec does not show it: a checkbox and a
 * number input bound to states, an if/elif/else chain, a for nested in a
 * for, a computed over a computed, and a component reused in a list with a
 * prop that changes. All driven from the keyboard and mouse in Chromium.
 */
const PROGRAM = `
shared {
  type Item { id: Int, name: String, price: Int, tags: [String] }
}

client {
  state items: [Item] = [
    Item { id: 1, name: "Tea", price: 3, tags: ["hot", "leaf"] },
    Item { id: 2, name: "Cake", price: 5, tags: ["sweet"] },
    Item { id: 3, name: "Soup", price: 8, tags: [] }
  ]
  state only_cheap = false
  state limit = 4
  state qty = 1
  computed shown = if only_cheap { items |> filter(fn(i) i.price <= limit) } else { items }
  computed total = shown |> map(fn(i) i.price * qty) |> sum()

  component Price(amount: Int) {
    <b class="price">{amount} EUR</b>
  }

  component App {
    <main>
      <label><input id="cheap" type="checkbox" bind:checked={only_cheap} /> cheap only</label>
      <input id="limit" type="number" bind:value={limit} />
      <input id="qty" type="number" bind:value={qty} />
      <p id="total">Total: {total}</p>
      if total == 0 {
        <p id="verdict">nothing</p>
      } elif total < 10 {
        <p id="verdict">a snack</p>
      } else {
        <p id="verdict">a meal</p>
      }
      <ul>
        for item in shown key item.id {
          <li>
            {item.name} <Price amount={item.price * qty} />
            <span class="tags">
              for tag in item.tags {
                <i>{tag}</i>
              }
            </span>
          </li>
        }
      </ul>
    </main>
  }
}

server {
  fn ping() -> String { "pong" }
}
`;

const enabled = haveChromium();
let server: Running;

beforeAll(async () => {
  if (!enabled) return;
  server = await start((await buildProgram(PROGRAM)).file("server"));
}, 60_000);

afterAll(async () => {
  await closeBrowser();
  await stopAll();
  cleanDirs();
});

describe.skipIf(!enabled)("a client block with widgets", () => {
  it("follows a checkbox, number inputs, an elif chain, nested loops and a component's changing prop", async () => {
    const { page, errors } = await openPage(`${server.url}/`);
    await page.waitForSelector("#total");
    const names = () => page.$$eval("li", (lis) => lis.map((li) => li.firstChild?.textContent));
    expect(await page.textContent("#total")).toBe("Total: 16");
    expect(await page.textContent("#verdict")).toBe("a meal");
    expect(await names()).toEqual(["Tea", "Cake", "Soup"]);
    expect(await page.$$eval("li:first-child i", (is) => is.map((i) => i.textContent))).toEqual(["hot", "leaf"]);
    expect(await page.$$eval(".price", (bs) => bs.map((b) => b.textContent))).toEqual(["3 EUR", "5 EUR", "8 EUR"]);

    await page.check("#cheap");
    expect(await names()).toEqual(["Tea"]);
    expect(await page.textContent("#verdict")).toBe("a snack");

    // The number input gives a number: 6 <= limit keeps Cake, and the sum stays arithmetic.
    await page.fill("#limit", "6");
    expect(await names()).toEqual(["Tea", "Cake"]);
    expect(await page.textContent("#total")).toBe("Total: 8");
    await page.fill("#qty", "3");
    expect(await page.textContent("#total")).toBe("Total: 24");
    expect(await page.$$eval(".price", (bs) => bs.map((b) => b.textContent))).toEqual(["9 EUR", "15 EUR"]);
    expect(await page.textContent("#verdict")).toBe("a meal");

    await page.fill("#limit", "0");
    expect(await names()).toEqual([]);
    expect(await page.textContent("#verdict")).toBe("nothing");
    await page.uncheck("#cheap");
    expect(await names()).toEqual(["Tea", "Cake", "Soup"]);
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
