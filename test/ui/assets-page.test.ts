/**
 * The asset pages (`/assets`, `/assets/asset/{key}`) in Debian's Chromium against a real server,
 * on SQLite and PostgreSQL, with assets a flow materialized in this process through the HTTP
 * client against that server: the empty list shows the materialize() example; the list shows
 * each asset with its health and the flow run that materialized it, and filters by key text and
 * prefix; an asset's page shows its properties, metadata, upstream and downstream assets as links
 * and a lineage graph with a box per asset, drawn on its canvas and opening an asset on click;
 * delete (after the confirmation) removes an asset from its page and from the list.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { HttpClient } from "../../src/client/http-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { Asset, addAssetMetadata, flow, materialize } from "../../src/index.ts";
import {
  ensureUiBuilt,
  launchChromium,
  screenshot,
  type WatchedPage,
  watchedPage,
} from "../helpers/browser.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const RAW = "s3://lake/raw.parquet";
const CLEAN = "s3://lake/cleaned.parquet";
const REPORT = "postgres://db/public/report";
const ALL = [REPORT, CLEAN, RAW];

const assetPath = (key: string) => `/assets/asset/${encodeURIComponent(key)}`;

for (const dialect of DIALECTS) {
  describe(`the asset pages in Chromium (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let browser: Browser;
    let w: WatchedPage;
    let base = "";
    let flowRunName = "";

    const problemsSeen = (): string[] =>
      w
        .take()
        .map((p) => p.replace(base, ""))
        .sort();

    async function assetTotal(): Promise<number> {
      const res = await fetch(`${base}/api/assets/filter`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return ((await res.json()) as { total: number }).total;
    }

    before(async () => {
      ensureUiBuilt();
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database, ui: {} });
      await app.listen({ host: "127.0.0.1", port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      w = await watchedPage(browser);
    });
    after(async () => {
      await shutdownRuntime();
      await browser?.close();
      await app?.close();
      await t?.dispose();
    });

    it("shows how to make an asset while there is none", async () => {
      const { page } = w;
      await page.goto(`${base}/assets`);
      await page.getByRole("heading", { level: 1, name: "Assets" }).waitFor();
      // the last entry of the navigation, after Artifacts
      const nav = await page.locator(".sidebar nav a").allTextContents();
      assert.match(nav.at(-1) ?? "", /Assets/);
      assert.match(nav.at(-2) ?? "", /Artifacts/);
      await page.getByRole("heading", { name: "No assets yet" }).waitFor();
      const example = (await page.locator(".empty-state pre code").textContent()) ?? "";
      assert.equal(example.split("\n").length, 3);
      assert.match(example, /materialize\("s3:\/\/lake\/orders\.parquet"/);
      assert.deepEqual(problemsSeen(), []);
    });

    it("lists the assets a flow materialized, with health and flow run, searched", async () => {
      // a flow run in this process, through the HTTP client, against the test server
      useClient(new HttpClient(`${base}/api`));
      const raw = new Asset({
        key: RAW,
        properties: { name: "Raw orders", owners: ["data-team@example.com"] },
      });
      const extract = materialize(raw, async () => {
        addAssetMetadata(raw, { rows: 3 });
        return [{ id: 1 }, { id: 2 }, { id: 3 }];
      });
      const clean = materialize(CLEAN, { by: "duckdb" }, async (rows: { id: number }[]) => ({
        rows: rows.length,
      }));
      const report = materialize(REPORT, async (summary: { rows: number }) => summary.rows);
      const etl = flow({ name: "etl" }, async () => {
        const rows = await extract();
        const summary = await clean(rows);
        await report(summary);
      });
      await etl();
      await shutdownRuntime(); // sends what the runs queued
      const runs = (await (
        await fetch(`${base}/api/flow_runs/filter`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).json()) as { name: string }[];
      assert.equal(runs.length, 1);
      flowRunName = runs[0]?.name ?? "";
      assert.equal(await assetTotal(), 3);

      const { page } = w;
      await page.goto(`${base}/assets`);
      const rows = page.locator("tr[data-asset-key]");
      await page.locator(`tr[data-asset-key="${RAW}"]`).waitFor();
      assert.deepEqual(
        await rows.evaluateAll((r) => r.map((e) => e.getAttribute("data-asset-key"))),
        ALL,
      );
      const rawRow = page.locator(`tr[data-asset-key="${RAW}"]`);
      assert.match((await rawRow.textContent()) ?? "", /Raw orders/);
      assert.equal(await rawRow.locator("[data-health]").getAttribute("data-health"), "succeeded");
      await rawRow.getByRole("link", { name: flowRunName }).waitFor();
      await rawRow.locator("time").waitFor();
      await screenshot(page, `assets-list-${dialect}`);

      // text anywhere in the key, any case
      await page.getByLabel("Search assets by key").fill("CLEAN");
      await page.getByLabel("Search assets by key").press("Enter");
      await page.locator(`tr[data-asset-key="${RAW}"]`).waitFor({ state: "detached" });
      assert.deepEqual(
        await rows.evaluateAll((r) => r.map((e) => e.getAttribute("data-asset-key"))),
        [CLEAN],
      );
      // a key prefix
      await page.getByLabel("Key match").selectOption("prefix");
      await page.getByRole("heading", { name: "No asset matches" }).waitFor();
      await page.getByLabel("Search assets by key").fill("s3://");
      await page.getByLabel("Search assets by key").press("Enter");
      await page.locator(`tr[data-asset-key="${RAW}"]`).waitFor();
      assert.deepEqual(
        await rows.evaluateAll((r) => r.map((e) => e.getAttribute("data-asset-key"))),
        [CLEAN, RAW],
      );
      assert.deepEqual(problemsSeen(), []);
    });

    it("shows an asset: properties, metadata, upstream, downstream and the lineage graph", async () => {
      const { page } = w;
      await page.goto(`${base}/assets`);
      await page
        .locator(`tr[data-asset-key="${CLEAN}"]`)
        .getByRole("link", { name: CLEAN })
        .click();
      await page.waitForURL(`**${assetPath(CLEAN)}`);
      await page.getByRole("heading", { level: 1, name: CLEAN }).waitFor();
      const latest = page.getByRole("region", { name: "Latest materialization" });
      await latest.getByText("duckdb").waitFor();
      const up = page.getByRole("region", { name: "Upstream" });
      const down = page.getByRole("region", { name: "Downstream" });
      await up.getByRole("link", { name: RAW }).waitFor();
      assert.deepEqual(await up.locator("li").allTextContents(), [RAW]);
      assert.deepEqual(await down.locator("li").allTextContents(), [REPORT]);

      // the graph: a box per asset, drawn on the canvas
      const lineage = page.getByRole("region", { name: "Lineage" });
      const canvas = lineage.locator(".lineage-graph canvas").first();
      await canvas.waitFor();
      const nodes = lineage.locator("li[data-asset-key]");
      assert.deepEqual(
        (await nodes.evaluateAll((l) => l.map((e) => e.getAttribute("data-asset-key")))).sort(),
        [...ALL].sort(),
      );
      // left to right: raw, cleaned, report
      const xOf = async (key: string) =>
        Number(await lineage.locator(`li[data-asset-key="${key}"]`).getAttribute("data-x"));
      assert.ok((await xOf(RAW)) < (await xOf(CLEAN)));
      assert.ok((await xOf(CLEAN)) < (await xOf(REPORT)));
      // each box is painted where the list says: the colour bar at its left edge (boxes are 210
      // wide) has the green of a succeeded materialization (ECharts paints on a later frame)
      for (const key of ALL) {
        const li = lineage.locator(`li[data-asset-key="${key}"]`);
        const x = Number(await li.getAttribute("data-x"));
        const y = Number(await li.getAttribute("data-y"));
        await page.waitForFunction(
          `(() => {
            const c = document.querySelector(".lineage-graph canvas");
            const ratio = c.width / c.clientWidth;
            const [r, g, b, a] = c.getContext("2d")
              .getImageData(Math.round((${x} - 103) * ratio), Math.round(${y} * ratio), 1, 1).data;
            return a === 255 && g > 150 && r < 100 && b < 150;
          })()`,
          undefined,
          { timeout: 10_000 },
        );
      }
      await screenshot(page, `asset-page-${dialect}`);

      // a click on a box opens that asset
      const report = lineage.locator(`li[data-asset-key="${REPORT}"]`);
      await canvas.click({
        position: {
          x: Number(await report.getAttribute("data-x")),
          y: Number(await report.getAttribute("data-y")),
        },
      });
      await page.waitForURL(`**${assetPath(REPORT)}`);
      await page
        .getByRole("region", { name: "Upstream" })
        .getByRole("link", { name: CLEAN })
        .waitFor();
      assert.equal(await page.getByRole("region", { name: "Downstream" }).locator("li").count(), 0);

      // the source: its properties and metadata
      await page.goto(`${base}${assetPath(RAW)}`);
      await page.getByRole("heading", { level: 1, name: /Raw orders/ }).waitFor();
      await page
        .getByRole("region", { name: "Properties" })
        .getByText("data-team@example.com")
        .waitFor();
      await page
        .getByRole("region", { name: "Latest materialization" })
        .getByText('"rows": 3')
        .waitFor();
      await page
        .getByRole("region", { name: "Downstream" })
        .getByRole("link", { name: CLEAN })
        .waitFor();
      assert.deepEqual(problemsSeen(), []);
    });

    it("deletes an asset from its page and from the list, after a confirmation", async () => {
      const { page } = w;
      await page.goto(`${base}${assetPath(REPORT)}`);
      await page.getByRole("heading", { level: 1, name: REPORT }).waitFor();
      // declined: nothing happens
      page.once("dialog", (d) => void d.dismiss());
      await page.getByRole("button", { name: `Delete ${REPORT}` }).click();
      assert.equal(await assetTotal(), 3);
      page.once("dialog", (d) => {
        assert.match(d.message(), /Delete the asset postgres:\/\/db\/public\/report/);
        void d.accept();
      });
      await page.getByRole("button", { name: `Delete ${REPORT}` }).click();
      await page.waitForURL(/\/assets$/);
      await page.locator(`tr[data-asset-key="${RAW}"]`).waitFor();
      assert.equal(await page.locator("tr[data-asset-key]").count(), 2);
      assert.equal(await assetTotal(), 2);

      page.once("dialog", (d) => void d.accept());
      await page
        .locator(`tr[data-asset-key="${CLEAN}"]`)
        .getByRole("button", { name: `Delete ${CLEAN}` })
        .click();
      await page.locator(`tr[data-asset-key="${CLEAN}"]`).waitFor({ state: "detached" });
      assert.equal(await assetTotal(), 1);
      // the lineage went with it
      await page.goto(`${base}${assetPath(RAW)}`);
      await page
        .getByRole("region", { name: "Lineage" })
        .locator("li[data-asset-key]")
        .waitFor({ state: "attached" });
      assert.equal(await page.getByRole("region", { name: "Lineage" }).locator("li").count(), 1);
      assert.equal(await page.getByRole("region", { name: "Downstream" }).locator("li").count(), 0);
      assert.deepEqual(problemsSeen(), []);
    });
  });
}
