/**
 * The artifact pages (`/artifacts`, `/artifacts/key/{key}`, `/artifacts/artifact/{id}`) and the
 * Artifacts tab of a flow run and of a task run, in Debian's Chromium against a real server, on
 * SQLite and PostgreSQL, with artifacts made through the API as Prefect's clients make them:
 * markdown carrying `<script>`, an `onerror=` image and a `javascript:` link renders inert (no
 * script element, no handler run, no such link); a table (list of objects) sorts by a column and
 * pages; a list of rows and a dict of columns read as tables; data that is not a table says so; a
 * progress artifact shows its bar and percentage and follows an update; an image shows; a key's
 * versions are listed and each opens on its own page.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Locator } from "playwright-core";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { text, uiHarness } from "./ui-harness.ts";

interface Created {
  id: string;
}

const HOSTILE_MARKDOWN = [
  "# Done",
  "",
  "All **regions** loaded: [raw data](https://example.com/raw.csv).",
  "",
  "<script>window.__pwned = 1</script>",
  "",
  '<img src=x onerror="window.__pwned = 2">',
  "",
  '<a href="javascript:window.__pwned = 3">click me</a>',
  "",
  '<p onmouseover="window.__pwned = 4">hover</p>',
].join("\n");

/** 30 regions with totals: more rows than a page shows (25). */
const TOTALS = Array.from({ length: 30 }, (_, i) => ({
  region: `region-${String(i).padStart(2, "0")}`,
  total: ((i * 37) % 101) + 1,
}));

/** A 1×1 PNG, inline. */
const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

for (const dialect of DIALECTS) {
  describe(`the artifact pages in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect);
    const { call, problemsSeen } = ui;
    let flowRunId = "";
    let taskRunId = "";
    let oldReportId = "";
    let progressId = "";

    const artifact = async (body: Record<string, unknown>) =>
      (await call<Created>("POST", "/artifacts/", body, 201)).id;

    /** Nothing the hostile markdown carried ran, and it left no script or handler behind. */
    async function assertInert(region: Locator): Promise<void> {
      const md = region.locator(".markdown");
      await md.waitFor();
      // the image (src "x") has been tried: its onerror, had it been kept, would have run
      await ui.page.waitForFunction(
        '[...document.querySelectorAll(".markdown img")].every((img) => img.complete)',
      );
      // and the error events it queued have been handled
      await ui.page.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r)))");
      assert.equal(await ui.page.evaluate("typeof window.__pwned"), "undefined");
      assert.equal(await md.locator("script").count(), 0);
      assert.equal(await ui.page.locator("body script:not([src])").count(), 0);
      assert.equal(await md.locator("[onerror], [onmouseover], [onclick]").count(), 0);
      assert.equal(await md.locator('a[href^="javascript:"]').count(), 0);
      const html = await md.innerHTML();
      assert.ok(!/__pwned/.test(html), `the rendered markdown kept a payload: ${html}`);
      // what markdown is for still works
      await md.getByRole("heading", { name: "Done" }).waitFor();
      assert.equal(await text(md.locator("strong")), "regions");
      const link = md.getByRole("link", { name: "raw data" });
      assert.equal(await link.getAttribute("href"), "https://example.com/raw.csv");
      assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
      assert.equal(await link.getAttribute("target"), "_blank");
    }

    before(async () => {
      const flow = await call<Created>("POST", "/flows/", { name: "report" }, [200, 201]);
      flowRunId = (
        await call<Created>(
          "POST",
          "/flow_runs/",
          { flow_id: flow.id, name: "nightly-report", state: { type: "COMPLETED" } },
          [200, 201],
        )
      ).id;
      taskRunId = (
        await call<Created>(
          "POST",
          "/task_runs/",
          { flow_run_id: flowRunId, task_key: "load-1", dynamic_key: "0", name: "load-0" },
          [200, 201],
        )
      ).id;

      oldReportId = await artifact({
        key: "daily-report",
        type: "markdown",
        data: "# Yesterday\n\nAn older report.",
        flow_run_id: flowRunId,
      });
      await artifact({
        key: "daily-report",
        type: "markdown",
        data: HOSTILE_MARKDOWN,
        description: "The *daily* report",
        flow_run_id: flowRunId,
      });
      await artifact({
        key: "daily-totals",
        type: "table",
        data: JSON.stringify(TOTALS),
        description: "totals per region",
        flow_run_id: flowRunId,
      });
      await artifact({
        key: "matrix",
        type: "table",
        data: JSON.stringify([
          ["a", 1],
          ["b", 2],
        ]),
      });
      await artifact({
        key: "columns",
        type: "table",
        data: JSON.stringify({ city: ["Oslo", "Lima"], temp: [3, 19] }),
      });
      await artifact({ key: "not-a-table", type: "table", data: "42" });
      progressId = await artifact({
        key: "load",
        type: "progress",
        data: 42,
        description: "loading",
        flow_run_id: flowRunId,
        task_run_id: taskRunId,
      });
      await artifact({ key: "chart", type: "image", data: PIXEL, description: "the chart" });
    });

    it("lists the latest version of each key, by key and type", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/artifacts`);
      await page.getByRole("heading", { level: 1, name: "Artifacts" }).waitFor();
      await page.locator(".sidebar").getByRole("link", { name: "Artifacts" }).waitFor();
      const rows = page.locator("tr[data-artifact-key]");
      await page.locator('tr[data-artifact-key="daily-report"]').waitFor();
      assert.equal(await rows.count(), 7);
      const report = page.locator('tr[data-artifact-key="daily-report"]');
      assert.match(await text(report), /markdown/);
      assert.match(await text(report), /The \*daily\* report/);
      await report.getByRole("link", { name: "nightly-report" }).waitFor();
      await screenshot(page, `artifacts-list-${dialect}`);

      await page.getByLabel("Artifact type").selectOption("table");
      await page.locator('tr[data-artifact-key="daily-report"]').waitFor({ state: "detached" });
      assert.deepEqual(
        (await rows.evaluateAll((r) => r.map((e) => e.getAttribute("data-artifact-key")))).sort(),
        ["columns", "daily-totals", "matrix", "not-a-table"],
      );
      await page.getByLabel("Artifact type").selectOption("");
      await page.getByLabel("Search artifacts by key").fill("daily");
      await page.getByLabel("Search artifacts by key").press("Enter");
      await page.locator('tr[data-artifact-key="matrix"]').waitFor({ state: "detached" });
      assert.equal(await rows.count(), 2);
      assert.deepEqual(problemsSeen(), []);
    });

    it("renders markdown inert: no script, no handler, no javascript: link", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/artifacts`);
      await page
        .locator('tr[data-artifact-key="daily-report"]')
        .getByRole("link", { name: "daily-report" })
        .click();
      await page.waitForURL("**/artifacts/key/daily-report");
      const latest = page.getByRole("region", { name: "Latest version" });
      await assertInert(latest.locator(".artifact-body"));
      // the description is markdown too
      assert.equal(await text(latest.locator(".artifact-description em")), "daily");

      // the versions, newest first; the older one opens on its own page
      const versions = page.getByRole("region", { name: "Versions" }).locator("li");
      assert.equal(await versions.count(), 2);
      assert.match(await text(versions.first()), /latest/);
      await screenshot(page, `artifact-key-${dialect}`);
      await page.locator(`li[data-artifact-id="${oldReportId}"] a`).first().click();
      await page.waitForURL(`**/artifacts/artifact/${oldReportId}`);
      await page.getByRole("heading", { name: "Yesterday" }).waitFor();
      await page.locator(".breadcrumbs").getByRole("link", { name: "daily-report" }).waitFor();
      assert.deepEqual(problemsSeen(), []);
    });

    it("sorts and pages a table; reads rows and columns; says when data is not a table", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/artifacts/key/daily-totals`);
      const table = page.getByRole("table", { name: "Table artifact" });
      await table.locator("tbody tr").first().waitFor();
      assert.equal(await table.locator("tbody tr").count(), 25);
      await page.getByText("Page 1 of 2").waitFor();
      const totals = () => table.locator("tbody tr td:nth-child(2)").allTextContents();
      const sorted = TOTALS.map((r) => r.total).sort((a, b) => a - b);

      await table.getByRole("button", { name: "total" }).click();
      assert.equal(await table.locator("th").nth(1).getAttribute("aria-sort"), "ascending");
      assert.deepEqual((await totals()).map(Number), sorted.slice(0, 25));
      await table.getByRole("button", { name: "total" }).click();
      assert.equal(await table.locator("th").nth(1).getAttribute("aria-sort"), "descending");
      assert.deepEqual((await totals()).map(Number), [...sorted].reverse().slice(0, 25));
      await page.getByRole("button", { name: "Next ›" }).click();
      await page.getByText("Page 2 of 2").waitFor();
      assert.deepEqual((await totals()).map(Number), [...sorted].reverse().slice(25));
      await table.getByRole("button", { name: "region" }).click();
      await page.getByText("Page 1 of 2").waitFor();
      assert.equal(await text(table.locator("tbody tr td").first()), "region-00");
      await screenshot(page, `artifact-table-${dialect}`);

      await page.goto(`${ui.base}/artifacts/key/matrix`);
      const matrix = page.getByRole("table", { name: "Table artifact" });
      await matrix.locator("tbody tr").first().waitFor();
      assert.deepEqual(await matrix.locator("th").allTextContents(), ["0", "1"]);
      assert.deepEqual(await matrix.locator("tbody tr").first().locator("td").allTextContents(), [
        "a",
        "1",
      ]);

      await page.goto(`${ui.base}/artifacts/key/columns`);
      const columns = page.getByRole("table", { name: "Table artifact" });
      await columns.locator("tbody tr").first().waitFor();
      assert.deepEqual(await columns.locator("th").allTextContents(), ["city", "temp"]);
      assert.deepEqual(await columns.locator("tbody tr").nth(1).locator("td").allTextContents(), [
        "Lima",
        "19",
      ]);

      await page.goto(`${ui.base}/artifacts/key/not-a-table`);
      await page
        .getByRole("alert")
        .getByText(/neither a list nor an object of columns/)
        .waitFor();
      assert.deepEqual(problemsSeen(), []);
    });

    it("shows progress (and its update) and an image", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/artifacts/artifact/${progressId}`);
      const bar = page.getByRole("progressbar", { name: "Progress" });
      await bar.waitFor();
      assert.equal(await bar.getAttribute("aria-valuenow"), "42");
      await page.locator(".artifact-progress").getByText("42%").waitFor();
      await page.locator(".page-header").getByRole("link", { name: "nightly-report" }).waitFor();
      await page.locator(".page-header").getByRole("link", { name: "task run" }).waitFor();
      await call("PATCH", `/artifacts/${progressId}`, { data: 100 }, 204);
      await page.locator(".artifact-progress").getByText("100%").waitFor({ timeout: 15_000 });
      assert.equal(await bar.getAttribute("aria-valuenow"), "100");

      await page.goto(`${ui.base}/artifacts/key/chart`);
      const img = page.locator(".artifact-image img");
      await img.waitFor();
      await page.waitForFunction(
        'document.querySelector(".artifact-image img")?.complete && document.querySelector(".artifact-image img").naturalWidth > 0',
      );
      assert.equal(await img.getAttribute("src"), PIXEL);
      assert.deepEqual(problemsSeen(), []);
    });

    it("lists a flow run's and a task run's artifacts in their Artifacts tab", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/runs/flow-run/${flowRunId}`);
      await page.getByRole("tab", { name: "Artifacts" }).click();
      await page.waitForURL(/tab=artifacts/);
      const list = page.getByRole("table", { name: "Artifacts" });
      await list.locator("tbody tr").first().waitFor();
      assert.equal(await list.locator("tbody tr").count(), 4);
      const load = list.locator(`tr[data-artifact-id="${progressId}"]`);
      assert.equal(await load.getByRole("progressbar").getAttribute("aria-valuenow"), "100");
      await screenshot(page, `flow-run-artifacts-${dialect}`);
      await list.getByRole("link", { name: "daily-totals" }).click();
      await page.waitForURL(/\/artifacts\/artifact\//);
      await page.getByRole("table", { name: "Table artifact" }).waitFor();

      await page.goto(`${ui.base}/runs/task-run/${taskRunId}`);
      await page.getByRole("tab", { name: "Artifacts" }).click();
      const taskList = page.getByRole("table", { name: "Artifacts" });
      await taskList.locator(`tr[data-artifact-id="${progressId}"]`).waitFor();
      assert.equal(await taskList.locator("tbody tr").count(), 1);
      assert.deepEqual(problemsSeen(), []);
    });
  });
}
