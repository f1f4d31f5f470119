/**
 * The web UI in Debian's Chromium, against a real server over real runs made with the SDK: every page
 * loads with no console error and no failed or refused request, shows the runs, their graph and logs;
 * filters narrow the list; logs tail a running flow; cancel and retry change a run's state.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { flow, getRunLogger, runtime, task } from "../../src/index.ts";
import {
  ensureUiBuilt,
  launchChromium,
  screenshot,
  type WatchedPage,
  watchedPage,
} from "../helpers/browser.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

/** A gate a running flow waits on, opened by the test. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe("the web UI in Chromium", () => {
  let h: SdkHarness;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let w: WatchedPage;
  let etlRun: string;
  let failedRun: string;
  let parentRun: string;
  let serverClosed = false;

  before(async () => {
    ensureUiBuilt();
    h = await sdkHarness("sqlite");
    const extract = task({ name: "extract-orders" }, async () => [1, 2, 3]);
    const transform = task({ name: "transform-order" }, async (x: number) => x * 2);
    const load = task({ name: "load-warehouse" }, async (xs: readonly unknown[]) => xs.length);
    const etl = flow({ name: "ui-etl", tags: ["nightly"] }, async () => {
      getRunLogger().info("extracting orders");
      const rows = await extract();
      const out = transform.map(rows); // futures: load's inputs record the three upstream runs
      etlRun = runtime.flowRun.id ?? "";
      return load(out);
    });
    await etl();
    const broken = flow({ name: "ui-broken" }, async () => {
      failedRun = runtime.flowRun.id ?? "";
      throw new Error("the warehouse is down");
    });
    await assert.rejects(broken());
    const childStep = task({ name: "child-step" }, async () => 1);
    const child = flow({ name: "ui-child" }, async () => childStep());
    const parent = flow({ name: "ui-parent" }, async () => {
      parentRun = runtime.flowRun.id ?? "";
      return child();
    });
    await parent();
    app = await createCheckedApp({ database: h.db.database, ui: {} });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    browser = await launchChromium();
    w = await watchedPage(browser);
  });

  after(async () => {
    await browser?.close();
    if (!serverClosed) await app?.close();
    await h?.close();
  });

  it("serves /ui-settings with the API URL relative to the UI's origin", async () => {
    const res = await fetch(`${base}/ui-settings`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      api_url: string;
      csrf_enabled: boolean;
      auth: unknown;
      flags: unknown[];
    };
    // relative to wherever the browser loaded the UI from, never the request's Host header
    assert.equal(body.api_url, "/api");
    assert.equal(body.csrf_enabled, false);
    assert.equal(body.auth, null);
    assert.deepEqual(body.flags, []);
    const unknownApi = await fetch(`${base}/api/no-such-route`);
    assert.equal(unknownApi.status, 404);
    const deepLink = await fetch(`${base}/runs/flow-run/${etlRun}`);
    assert.equal(deepLink.status, 200);
    assert.match(await deepLink.text(), /<div id="root">/);
  });

  it("the dashboard counts the runs by state and lists the failed one", async () => {
    const { page } = w;
    await page.goto(`${base}/dashboard`);
    await page.getByRole("heading", { name: "Latest failed runs" }).waitFor();
    const failedCard = page.locator("section.card", { hasText: "Latest failed runs" });
    await failedCard
      .getByRole("link", { name: /ui-broken/ })
      .or(failedCard.getByText("ui-broken"))
      .first()
      .waitFor();
    await page.locator(".state-count", { hasText: "Completed" }).getByText("3").waitFor();
    await page.locator(".chart canvas").first().waitFor();
    await screenshot(page, "dashboard");
    assert.deepEqual(w.take(), []);
  });

  it("the runs page lists every run and its filters narrow the list", async () => {
    const { page } = w;
    await page.goto(`${base}/runs`);
    await page.getByRole("heading", { name: "4 flow runs" }).waitFor();
    await page.locator(".chart canvas").first().waitFor();
    await screenshot(page, "runs");
    await page.getByRole("button", { name: "Failed" }).click();
    await page.getByRole("heading", { name: "1 flow run" }).waitFor();
    assert.match(page.url(), /state=/);
    const names = await page.locator(".runs-table tbody .run-name").allInnerTexts();
    assert.equal(names.length, 1);
    assert.match(names[0] ?? "", /ui-broken/);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("heading", { name: "4 flow runs" }).waitFor();
    await page.getByLabel("Tags").fill("nightly");
    await page.getByLabel("Tags").press("Enter");
    await page.getByRole("heading", { name: "1 flow run" }).waitFor();
    assert.match((await page.locator(".runs-table tbody").textContent()) ?? "", /ui-etl/);
    await page.getByRole("tab", { name: "Task runs" }).click();
    await page
      .getByRole("link", { name: /transform-order/ })
      .first()
      .waitFor();
    await screenshot(page, "runs-task-runs");
    assert.deepEqual(w.take(), []);
  });

  it("the flow-run page draws the graph of the task runs and shows the logs", async () => {
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${etlRun}`);
    await page.locator(".run-graph canvas").first().waitFor();
    const nodes = await page
      .getByRole("list", { name: "Runs in the graph" })
      .locator("li")
      .allTextContents();
    assert.equal(nodes.length, 5);
    assert.equal(nodes.filter((n) => n.startsWith("transform-order")).length, 3);
    assert.ok(nodes.some((n) => n.startsWith("extract-orders")));
    await page.getByTestId("log-lines").getByText("extracting orders").waitFor();
    await page.getByText("Completed").first().waitFor();
    await screenshot(page, "flow-run");
    await page.getByRole("tab", { name: /Task runs/ }).click();
    await page.getByRole("link", { name: /load-warehouse/ }).waitFor();
    await page.getByRole("tab", { name: "State history" }).click();
    await page.locator(".timeline li", { hasText: "Running" }).waitFor();
    assert.deepEqual(w.take(), []);
  });

  it("the task-run page shows the state, the upstream inputs and the state history", async () => {
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${etlRun}?tab=task-runs`);
    await page.getByRole("link", { name: /load-warehouse/ }).click();
    await page.getByRole("heading", { name: /load-warehouse/ }).waitFor();
    await page.getByRole("tab", { name: "Inputs" }).click();
    await page
      .getByRole("link", { name: /transform-order/ })
      .first()
      .waitFor();
    assert.equal(await page.getByRole("link", { name: /transform-order/ }).count(), 3);
    await screenshot(page, "task-run");
    await page.getByRole("tab", { name: "State history" }).click();
    await page.locator(".timeline li", { hasText: "Completed" }).waitFor();
    assert.deepEqual(w.take(), []);
  });

  it("the flows pages list each flow with its runs", async () => {
    const { page } = w;
    await page.goto(`${base}/flows`);
    const row = page.locator("tr", { hasText: "ui-etl" });
    await row.getByRole("link", { name: "ui-etl" }).waitFor();
    await screenshot(page, "flows");
    await row.getByRole("link", { name: "ui-etl" }).click();
    await page.getByRole("heading", { name: "ui-etl" }).waitFor();
    await page.getByRole("heading", { name: "1 flow run" }).waitFor();
    // the activity chart and the duration plot
    await page.locator(".chart canvas").nth(1).waitFor();
    await screenshot(page, "flow");
    assert.deepEqual(w.take(), []);
  });

  it("a subflow run is listed on its parent's page and nested in its graph", async () => {
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${parentRun}?tab=subflow-runs`);
    await page.locator(".runs-table").getByRole("link", { name: "ui-child" }).waitFor();
    // the graph nests the subflow's own task runs under it
    await page.locator(".run-graph canvas").first().waitFor();
    await page
      .getByRole("list", { name: "Runs in the graph" })
      .getByText(/child-step.* in /)
      .waitFor({ state: "attached" });
    await screenshot(page, "flow-run-subflow");
    assert.deepEqual(w.take(), []);
  });

  it("logs tail a running flow, its graph grows live, and cancel changes its state", async () => {
    const { page } = w;
    const first = gate();
    const second = gate();
    let liveRun = "";
    const started = gate();
    const stepA = task({ name: "live-step-a" }, async () => 1);
    const stepB = task({ name: "live-step-b" }, async () => 2);
    const slow = flow({ name: "ui-live" }, async () => {
      liveRun = runtime.flowRun.id ?? "";
      getRunLogger().info("first line");
      await stepA();
      started.open();
      await first.wait;
      getRunLogger().info("second line");
      await stepB();
      await second.wait;
      return "done";
    });
    const finished = slow().catch(() => "ended");
    await started.wait;
    await page.goto(`${base}/runs/flow-run/${liveRun}`);
    await page.getByTestId("log-lines").getByText("first line").waitFor();
    await page.locator(".live-badge").waitFor();
    first.open();
    await page.getByTestId("log-lines").getByText("second line").waitFor({ timeout: 15_000 });
    // the graph follows the run: the task that ran after the page opened appears
    await page
      .getByRole("list", { name: "Runs in the graph" })
      .getByText(/live-step-b/)
      .waitFor({ state: "attached", timeout: 15_000 });
    await screenshot(page, "flow-run-live");
    page.once("dialog", (d) => void d.accept()); // "Cancel flow run …?"
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator("h1 .state-badge", { hasText: /Cancel/ }).waitFor({ timeout: 15_000 });
    second.open();
    await finished;
    assert.deepEqual(w.take(), []);
  });

  it("retry puts a finished run back to scheduled (AwaitingRetry)", async () => {
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${failedRun}`);
    await page.locator("h1 .state-badge", { hasText: "Failed" }).waitFor();
    await page.getByRole("button", { name: "Retry" }).click();
    await page
      .locator("h1 .state-badge", { hasText: "AwaitingRetry" })
      .waitFor({ timeout: 15_000 });
    assert.deepEqual(w.take(), []);
  });

  it("dark mode follows the system and the toggle, and unknown pages say so", async () => {
    const dark = await watchedPage(browser, "dark");
    await dark.page.goto(`${base}/runs/flow-run/${etlRun}`);
    await dark.page.locator(".run-graph canvas").first().waitFor();
    const bg = await dark.page.evaluate<string>(
      "getComputedStyle(document.documentElement).backgroundColor",
    );
    assert.equal(bg, "rgb(13, 17, 23)");
    await screenshot(dark.page, "flow-run-dark");
    await dark.page.getByRole("button", { name: "Toggle dark mode" }).click();
    assert.equal(
      await dark.page.evaluate<string>("document.documentElement.dataset.theme"),
      "light",
    );
    await dark.page.goto(`${base}/no/such/page`);
    await dark.page.getByText("Page not found").waitFor();
    assert.deepEqual(dark.take(), []);
    await dark.page.context().close();
  });

  it("change state forces a state, and bulk delete removes the selected runs", async () => {
    const { page } = w;
    await page.goto(`${base}/runs/flow-run/${failedRun}`);
    await page.getByRole("button", { name: "Change state" }).click();
    await page.getByLabel("New state").selectOption("CRASHED");
    await page.getByLabel("Reason").fill("set by hand");
    await page.getByRole("button", { name: "Set state" }).click();
    await page.locator("h1 .state-badge", { hasText: "Crashed" }).waitFor({ timeout: 15_000 });
    await page.getByText("set by hand").first().waitFor();
    await page.goto(`${base}/runs`);
    await page.getByRole("heading", { name: "5 flow runs" }).waitFor();
    const row = page.locator(".runs-table tbody tr", { hasText: "ui-broken" });
    await row.getByRole("checkbox").check();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("heading", { name: "4 flow runs" }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(".runs-table tbody tr", { hasText: "ui-broken" }).count(), 0);
    const gone = await fetch(`${base}/api/flow_runs/${failedRun}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(w.take(), []);
  });

  it("says so when the API cannot be reached", async () => {
    const { page } = w;
    await page.goto(`${base}/runs`);
    await page.getByRole("heading", { name: "4 flow runs" }).waitFor();
    await app.close();
    serverClosed = true;
    await page.getByText("Cannot reach the Prefect TS API").waitFor({ timeout: 30_000 });
    await screenshot(page, "api-unreachable");
    // the only problems are the refused requests themselves
    const problems = w.take();
    assert.ok(problems.length > 0);
    assert.ok(
      problems.every((p) => /ERR_CONNECTION_REFUSED|failed: /.test(p)),
      problems.join("\n"),
    );
  });
});
