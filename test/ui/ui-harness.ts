/**
 * What every page test in Chromium sets up, inside its `describe`: a test database of the dialect,
 * the real server (with the UI) on an ephemeral port, Debian's Chromium with one watched page,
 * and a JSON `call` to the server's API. All of it is closed after the `describe`.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser, Locator, Page } from "playwright-core";
import {
  ensureUiBuilt,
  launchChromium,
  type WatchedPage,
  watchedPage,
} from "../helpers/browser.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";

/** What Chromium itself logs for a request answered with an error (the pages log nothing of their own). */
export const consoleError = (status: number, text: string): string =>
  `console: Failed to load resource: the server responded with a status of ${status} (${text})`;

/** The text in an element (empty when none). */
export async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

export interface UiHarness {
  /** The server's address, `http://127.0.0.1:<port>` (set once the `before` hook has run). */
  readonly base: string;
  /** The watched page (console errors, failed requests and error answers recorded). */
  readonly w: WatchedPage;
  readonly page: Page;
  /** A JSON request to the API (`/api` + `path`); asserts the status, answers the parsed body. */
  call<T>(method: string, path: string, body?: unknown, status?: number | number[]): Promise<T>;
  /** The problems the page met since the last look, without the server's address, sorted. */
  problemsSeen(): string[];
}

export interface UiHarnessOptions {
  /** Accept every confirmation the page asks (delete, reset…). Default: left unanswered (dismissed). */
  acceptDialogs?: boolean;
}

/** Registers the `before`/`after` hooks in the current `describe`; use the harness inside its tests. */
export function uiHarness(dialect: DialectName, options: UiHarnessOptions = {}): UiHarness {
  let t: TestDatabase | undefined;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let watched: WatchedPage | undefined;
  let base = "";

  const w = (): WatchedPage => {
    assert.ok(watched, "the UI harness is used before its `before` hook ran");
    return watched;
  };

  before(async () => {
    ensureUiBuilt();
    t = await createTestDatabase(dialect);
    app = await createCheckedApp({ database: t.database, ui: {} });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    watched = await watchedPage(browser);
    if (options.acceptDialogs) watched.page.on("dialog", (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await t?.dispose();
  });

  return {
    get base() {
      return base;
    },
    get w() {
      return w();
    },
    get page() {
      return w().page;
    },
    async call<T>(
      method: string,
      path: string,
      body?: unknown,
      status: number | number[] = 200,
    ): Promise<T> {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const raw = await res.text();
      assert.ok([status].flat().includes(res.status), `${method} ${path} → ${res.status}: ${raw}`);
      return (raw ? JSON.parse(raw) : null) as T;
    },
    problemsSeen: () =>
      w()
        .take()
        .map((p) => p.replace(base, ""))
        .sort(),
  };
}
