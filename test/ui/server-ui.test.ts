/** How the server hosts the UI, and the UI settings: no browser needed. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";

describe("UI settings", () => {
  it("derive the UI URL from PREFECT_API_URL as Prefect does, unless PREFECT_UI_URL is set", () => {
    assert.equal(loadSettings({}).uiUrl, null);
    assert.equal(
      loadSettings({ PREFECT_API_URL: "http://10.0.0.5:4200/api" }).uiUrl,
      "http://10.0.0.5:4200",
    );
    assert.equal(loadSettings({ PREFECT_API_URL: "http://h:4200/api/" }).uiUrl, "http://h:4200");
    assert.equal(loadSettings({ PREFECT_API_URL: "http://h:4200/other" }).uiUrl, null);
    assert.equal(
      loadSettings({ PREFECT_API_URL: "http://h:4200/api", PREFECT_UI_URL: "https://ui.example" })
        .uiUrl,
      "https://ui.example",
    );
  });

  it("turn the UI off with PREFECT_UI_ENABLED=false and point the browser elsewhere with PREFECT_UI_API_URL", () => {
    assert.equal(loadSettings({}).uiEnabled, true);
    assert.equal(loadSettings({ PREFECT_UI_ENABLED: "false" }).uiEnabled, false);
    assert.equal(loadSettings({}).uiApiUrl, null);
    assert.equal(
      loadSettings({ PREFECT_UI_API_URL: "http://api.example/api" }).uiApiUrl,
      "http://api.example/api",
    );
    assert.throws(() => loadSettings({ PREFECT_UI_API_URL: "not a url" }), /PREFECT_UI_API_URL/);
    assert.throws(() => loadSettings({ PREFECT_UI_ENABLED: "maybe" }), /PREFECT_UI_ENABLED/);
  });
});

describe("the server hosting the UI", () => {
  let db: TestDatabase;
  let dist: string;
  let withUi: FastifyInstance;
  let withoutUi: FastifyInstance;
  before(async () => {
    db = await createTestDatabase("sqlite");
    dist = mkdtempSync(join(tmpdir(), "prefect-ts-ui-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, "assets", "app-1234.js"), "console.log(1)");
    withUi = await createCheckedApp({
      database: db.database,
      ui: { distDir: dist, apiUrl: "http://api.example/api" },
    });
    withoutUi = await createCheckedApp({ database: db.database, ui: false });
  });
  after(async () => {
    await withUi.close();
    await withoutUi.close();
    await db.dispose();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers /ui-settings in Prefect's shape with the configured API URL", async () => {
    const res = await withUi.inject({ method: "GET", url: "/ui-settings" });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Record<string, unknown>;
    assert.equal(body.api_url, "http://api.example/api");
    assert.equal(body.csrf_enabled, false);
    assert.equal(body.auth, null);
    assert.deepEqual(body.flags, []);
  });

  it("serves assets with long caching and index.html for every app path", async () => {
    const asset = await withUi.inject({ method: "GET", url: "/assets/app-1234.js" });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers["cache-control"]), /immutable/);
    for (const path of [
      "/",
      "/dashboard",
      "/runs/flow-run/0190a1b2-0000-7000-8000-000000000000",
      "/flows?page=2",
    ]) {
      const page = await withUi.inject({ method: "GET", url: path });
      assert.equal(page.statusCode, 200, path);
      assert.match(page.body, /<div id="root">/);
      assert.equal(page.headers["cache-control"], "no-cache");
    }
  });

  it("keeps unknown API paths JSON 404s, and the API working", async () => {
    const missing = await withUi.inject({ method: "GET", url: "/api/nothing-here" });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: "Not Found" });
    const health = await withUi.inject({ method: "GET", url: "/api/health" });
    assert.equal(health.statusCode, 200);
  });

  it("serves no UI when it is turned off", async () => {
    assert.equal((await withoutUi.inject({ method: "GET", url: "/" })).statusCode, 404);
    assert.equal((await withoutUi.inject({ method: "GET", url: "/ui-settings" })).statusCode, 404);
    assert.equal((await withoutUi.inject({ method: "GET", url: "/api/health" })).statusCode, 200);
  });
});
