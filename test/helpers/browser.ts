/**
 * Debian's Chromium driven by playwright-core, for the UI tests and the UI bench: a page that records
 * every console error, failed request and error response, so a test can assert there were none.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.PREFECT_TS_CHROMIUM ?? "/usr/bin/chromium";
export const UI_DIST = resolve(import.meta.dirname, "..", "..", "ui", "dist");
export const SHOTS_DIR = resolve(import.meta.dirname, "..", "..", "test-artifacts", "ui");

/** Build the UI when this checkout has no `ui/dist` yet (a fresh clone before `npm run build`). */
export function ensureUiBuilt(): void {
  if (existsSync(join(UI_DIST, "index.html"))) return;
  execFileSync("npm", ["run", "build", "-w", "ui"], { stdio: "ignore" });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-gpu",
      "--disable-dev-shm-usage",
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, failed requests and 4xx/5xx answers seen since the last `take()`. */
  take(): string[];
}

export async function watchedPage(
  browser: Browser,
  colorScheme: "light" | "dark" = "light",
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  const page = await context.newPage();
  let problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // leaving a page aborts its polls: that is not a failure
    if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? ""))
      problems.push(`failed: ${r.method()} ${r.url()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    page,
    take: () => {
      const out = problems;
      problems = [];
      return out;
    },
  };
}

/** Save a screenshot under `test-artifacts/ui/` (gitignored) to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
}
