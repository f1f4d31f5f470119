/**
 * The web UI against a server with authentication and CSRF protection on, in Chromium: the UI
 * shows its login page instead of failing, refuses a wrong auth string, and once given the right
 * one shows the pages and changes a run's state (a POST carrying the credential and a CSRF token).
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { loadSettings } from "../../src/settings/settings.ts";
import {
  ensureUiBuilt,
  launchChromium,
  type WatchedPage,
  watchedPage,
} from "../helpers/browser.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";

const AUTH = "admin:ui-pass";

describe("the web UI's login page", () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let w: WatchedPage;
  let base = "";

  before(async () => {
    ensureUiBuilt();
    t = await createTestDatabase("sqlite");
    app = await createCheckedApp({
      database: t.database,
      settings: loadSettings({
        PREFECT_HOME: t.home,
        PREFECT_SERVER_API_AUTH_STRING: AUTH,
        PREFECT_SERVER_CSRF_PROTECTION_ENABLED: "true",
      }),
      ui: {},
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    w = await watchedPage(browser);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await t?.dispose();
  });

  it("asks for the auth string, refuses a wrong one and lets the right one in", async () => {
    const { page } = w;
    await page.goto(`${base}/flows`);
    const field = page.getByLabel("Auth string (user:password)");
    await field.waitFor();
    await field.fill("admin:wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").getByText("The server refused these credentials.").waitFor();
    w.take(); // the refused attempt is the only 401 expected
    await field.fill(AUTH);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("link", { name: "Dashboard" }).waitFor();
    // kept as Prefect's UI keeps it: a reload goes straight to the pages
    assert.equal(
      await page.evaluate<string | null>('localStorage.getItem("prefect-password")'),
      Buffer.from(AUTH).toString("base64"),
    );
    await page.reload();
    await page.getByRole("link", { name: "Runs" }).waitFor();
    assert.equal(await field.count(), 0);
    assert.deepEqual(w.take(), []);
  });

  it("cancels a run from its page: a POST with the credential and a CSRF token", async () => {
    const auth = { authorization: `Basic ${Buffer.from(AUTH).toString("base64")}` };
    const issued = await fetch(`${base}/api/csrf-token?client=test`, { headers: auth });
    const { token } = (await issued.json()) as { token: string };
    const headers = {
      ...auth,
      "content-type": "application/json",
      "prefect-csrf-token": token,
      "prefect-csrf-client": "test",
    };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base}/api${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, `${path}: ${res.status}`);
      return (await res.json()) as { id: string };
    };
    const flow = await post("/flows/", { name: "ui-login-flow" });
    const run = await post("/flow_runs/", {
      flow_id: flow.id,
      name: "cancel-me",
      state: { type: "RUNNING", name: "Running" },
    });
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${run.id}`);
    // the page asks before cancelling
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator("h1 .state-badge", { hasText: /Cancel/ }).waitFor({ timeout: 15_000 });
    assert.deepEqual(w.take(), []);
  });
});
