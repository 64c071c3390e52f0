// Headless Chromium for the client tests (architecture.md, "System tools for
// tests"): Debian's `chromium`, driven by playwright-core. `.ci/run` installs
// it; without it these tests are skipped outside CI (and fail in CI).
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function haveChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env["CI"]) throw new Error("Chromium is not installed (/usr/bin/chromium); .ci/run installs Debian's chromium package");
  console.warn("Chromium is not installed (apt-get install chromium): the browser tests are skipped");
  return false;
}

let browser: Browser | null = null;

export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  return browser;
}

/** A new page that fails the test on any error in the page or its console. */
export async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await launch()).newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
}
