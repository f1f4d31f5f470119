/**
 * The deployment pages (`/deployments`, `/deployments/deployment/{id}`) in Debian's Chromium
 * against a real server (its scheduler running), on SQLite and PostgreSQL: a deployment made
 * through the API with a cron schedule and a parameter schema is listed, opened, paused and
 * resumed (the deployment and one schedule), gets schedules added (a bad cron and a bad time zone
 * refused next to their fields) and removed; it is run through the form generated from its
 * schema (bad values refused before sending, the server's refusal shown next to its field) and
 * the run is listed among its runs (a deployment that does not enforce its schema is run with
 * values the schema refuses); its upcoming runs show on the dashboard and the flow's page;
 * it is deleted from its page.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Locator } from "playwright-core";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { consoleError, text, uiHarness } from "./ui-harness.ts";

interface Schedule {
  id: string;
  active: boolean;
  schedule: { cron?: string; interval?: number; rrule?: string; timezone?: string | null };
}
interface Deployment {
  id: string;
  name: string;
  paused: boolean;
  schedules: Schedule[];
}
interface FlowRun {
  id: string;
  name: string;
  parameters: Record<string, unknown>;
  deployment_id: string | null;
  state_type: string;
}

/** A parameter schema as Prefect's client writes one (pydantic: titles, positions, definitions). */
const PARAMETER_SCHEMA = {
  title: "Parameters",
  type: "object",
  properties: {
    day: { title: "day", position: 0, type: "string", description: "The day to load" },
    full: { title: "full", position: 1, type: "boolean", default: false },
    mode: { position: 2, allOf: [{ $ref: "#/definitions/Mode" }], default: "fast" },
    retries: { title: "retries", position: 3, type: "integer", minimum: 0, maximum: 5, default: 1 },
    batch: { title: "batch", position: 4, type: "integer", multipleOf: 100, default: 100 },
    regions: {
      title: "regions",
      position: 5,
      anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }],
      default: null,
    },
  },
  required: ["day"],
  definitions: { Mode: { title: "Mode", enum: ["fast", "slow"], type: "string" } },
};

for (const dialect of DIALECTS) {
  describe(`the deployment pages in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect, { acceptDialogs: true });
    const { call, problemsSeen } = ui;
    let deployment: Deployment;
    let flowId = "";

    /** The names of the deployment's upcoming runs, as the server holds them (soonest 50). */
    const upcomingNames = async () =>
      (
        await call<FlowRun[]>("POST", "/flow_runs/filter", {
          deployments: { id: { any_: [deployment.id] } },
          flow_runs: {
            state: { type: { any_: ["SCHEDULED"] } },
            expected_start_time: { after_: new Date().toISOString() },
          },
          sort: "EXPECTED_START_TIME_ASC",
          limit: 50,
        })
      ).map((r) => r.name);

    /**
     * Waits (polling, as the page refreshes every 5 s) until the upcoming runs listed are those
     * the server holds; returns them.
     */
    async function upcomingAgree(region: Locator): Promise<string[]> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const held = await upcomingNames();
        // one read of the list as it is now (rows may be replaced between two reads)
        const shown = await region.locator("tbody tr .strong-link").allTextContents();
        if (JSON.stringify(shown) === JSON.stringify(held)) return held;
        assert.ok(
          Date.now() < deadline,
          `listed ${shown.join(", ")}; the server holds ${held.join(", ")}`,
        );
        await ui.page.waitForTimeout(250);
      }
    }

    const readDeployment = () => call<Deployment>("GET", `/deployments/${deployment.id}`);
    /** The runs of the deployment the form made (by name). */
    const runsNamed = (name: string) =>
      call<FlowRun[]>("POST", "/flow_runs/filter", {
        flow_runs: { name: { any_: [name] } },
        deployments: { id: { any_: [deployment.id] } },
      });

    before(async () => {
      const flow = await call<{ id: string }>("POST", "/flows/", { name: "etl" }, 201);
      flowId = flow.id;
      deployment = await call<Deployment>(
        "POST",
        "/deployments/",
        {
          name: "nightly",
          flow_id: flow.id,
          description: "Loads the day's orders.",
          tags: ["prod"],
          parameters: { day: "today" },
          parameter_openapi_schema: PARAMETER_SCHEMA,
          schedules: [{ schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" }, active: true }],
        },
        201,
      );
      // the scheduler's runs, now rather than at its next loop
      await call("POST", `/deployments/${deployment.id}/schedule`, {});
    });

    it("lists the deployment, opens it, pauses and resumes it and its schedule, adds and removes schedules", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/deployments`);
      await page.getByRole("heading", { level: 1, name: "Deployments" }).waitFor();
      const row = page.locator('tr[data-deployment="nightly"]');
      await row.getByText("Cron 0 3 * * *").waitFor();
      await row.getByRole("link", { name: "etl" }).waitFor(); // the flow's name, asked for next
      assert.match(await text(row), /Europe\/Berlin/);
      assert.match(await text(row), /prod/);
      assert.match(await text(row), /Not ready/);
      await page.getByRole("link", { name: "Deployments" }).first().waitFor(); // in the sidebar
      await screenshot(page, `deployments-list-${dialect}`);

      // a search that matches nothing, then the flow's name
      await page.getByLabel("Search deployments").fill("nothing-like-it");
      await page.getByLabel("Search deployments").press("Enter");
      await page.getByRole("heading", { name: /No deployment matches/ }).waitFor();
      await page.getByLabel("Search deployments").fill("et");
      await page.getByLabel("Search deployments").press("Enter");
      await row.waitFor();

      await row.getByRole("link", { name: "nightly" }).click();
      await page.waitForURL(`**/deployments/deployment/${deployment.id}`);
      await page.getByRole("heading", { name: "nightly", exact: true }).waitFor();
      await page.getByText("Loads the day's orders.").waitFor();

      // its upcoming runs: the scheduler's, at 03:00 in Berlin
      await page.getByRole("tab", { name: "Upcoming" }).click();
      const upcoming = page.getByRole("region", { name: "Upcoming runs" });
      await upcoming.locator("tbody tr").first().waitFor();
      const scheduled = await call<FlowRun[]>("POST", "/flow_runs/filter", {
        deployments: { id: { any_: [deployment.id] } },
        sort: "EXPECTED_START_TIME_ASC",
        limit: 1,
      });
      assert.ok(scheduled[0]);
      await upcoming.locator(`tr[data-run="${scheduled[0].name}"]`).waitFor();

      // pause the deployment: its scheduled runs go; resume: the scheduler makes them again
      const deploymentActive = page.getByRole("switch", { name: "Deployment active" });
      await deploymentActive.click();
      await page.getByText("The deployment is paused").waitFor();
      assert.equal((await readDeployment()).paused, true);
      // (a scheduler loop that read the deployment just before the pause may still add its runs:
      // the list shows what the server holds)
      const left = await upcomingAgree(upcoming);
      if (left.length === 0) await upcoming.getByText("No run is scheduled").waitFor();
      await screenshot(page, `deployment-paused-${dialect}`);
      await deploymentActive.click();
      await page.locator(".page-header").getByText("Active", { exact: true }).waitFor();
      assert.equal((await readDeployment()).paused, false);
      await upcoming.locator("tbody tr").first().waitFor();

      // pause and resume one schedule
      const schedules = page.getByRole("region", { name: "Schedules" });
      const cronActive = schedules.getByRole("switch", { name: "Cron 0 3 * * * active" });
      await cronActive.click();
      await schedules.getByText("Paused", { exact: true }).waitFor();
      assert.equal((await readDeployment()).schedules[0]?.active, false);
      await cronActive.click();
      await schedules.getByText("Active", { exact: true }).waitFor();
      assert.equal((await readDeployment()).schedules[0]?.active, true);

      // a cron the server refuses: its message next to the field
      await schedules.getByRole("button", { name: "Add schedule" }).click();
      const form = page.getByRole("form", { name: "New schedule" });
      await form.getByLabel("Cron expression").fill("99 * * * *");
      await form.getByLabel("Time zone").fill("Europe/Berlin");
      await form.getByRole("button", { name: "Add" }).click();
      await form.locator(".field-error").waitFor();
      assert.equal(await form.getByLabel("Cron expression").getAttribute("aria-invalid"), "true");
      assert.match(
        await text(form.locator(".field-error")),
        /Invalid cron string: "99 \* \* \* \*"/,
      );
      assert.equal(await form.getByLabel("Time zone").getAttribute("aria-invalid"), "false");
      const path = `/api/deployments/${deployment.id}/schedules`;
      assert.deepEqual(problemsSeen(), [
        `422: POST ${path}`,
        consoleError(422, "Unprocessable Entity"),
      ]);
      await screenshot(page, `deployment-schedule-422-${dialect}`);

      // an interval in a time zone that does not exist, then one that does
      await form.getByLabel("Interval").check();
      await form.getByLabel("Every").fill("10");
      await form.getByLabel("Unit").selectOption("minutes");
      await form.getByLabel("Time zone").fill("Mars/Olympus_Mons");
      await form.getByRole("button", { name: "Add" }).click();
      await form.getByText(/Invalid timezone: "Mars\/Olympus_Mons"/).waitFor();
      assert.equal(await form.getByLabel("Time zone").getAttribute("aria-invalid"), "true");
      assert.deepEqual(problemsSeen(), [
        `422: POST ${path}`,
        consoleError(422, "Unprocessable Entity"),
      ]);
      await form.getByLabel("Time zone").fill("America/New_York");
      await form.getByRole("button", { name: "Add" }).click();
      await form.waitFor({ state: "detached" });
      await schedules.locator('[data-schedule="Every 10 minutes"]').waitFor();
      let stored = (await readDeployment()).schedules;
      const interval = stored.find((s) => s.schedule.interval !== undefined);
      assert.equal(interval?.schedule.interval, 600);
      assert.equal(interval?.schedule.timezone, "America/New_York");

      // an rrule
      await schedules.getByRole("button", { name: "Add schedule" }).click();
      await form.getByLabel("RRule").check();
      await form.getByLabel("Recurrence rule").fill("FREQ=WEEKLY;BYDAY=FR;BYHOUR=9;BYMINUTE=0");
      await form.getByLabel("Time zone").fill("UTC");
      await form.getByRole("button", { name: "Add" }).click();
      const rruleRow = schedules.locator('[data-kind="rrule"]');
      await rruleRow.waitFor();
      assert.match(await text(rruleRow), /FREQ=WEEKLY;BYDAY=FR;BYHOUR=9;BYMINUTE=0/);
      stored = (await readDeployment()).schedules;
      assert.equal(stored.length, 3);
      await screenshot(page, `deployment-schedules-${dialect}`);

      // remove the interval
      await schedules
        .locator('[data-schedule="Every 10 minutes"]')
        .getByRole("button", { name: "Remove" })
        .click();
      await schedules.locator('[data-schedule="Every 10 minutes"]').waitFor({ state: "detached" });
      stored = (await readDeployment()).schedules;
      assert.deepEqual(stored.map((s) => s.schedule.cron ?? s.schedule.rrule).sort(), [
        "0 3 * * *",
        "FREQ=WEEKLY;BYDAY=FR;BYHOUR=9;BYMINUTE=0",
      ]);

      // its parameters and their defaults
      await page.getByRole("tab", { name: "Parameters" }).click();
      const params = page.getByRole("region", { name: "Parameters" });
      const day = params.locator('tr[data-parameter="day"]');
      await day.waitFor();
      assert.match(await text(day), /required/);
      assert.match(await text(day), /"today"/);
      assert.match(
        await text(params.locator('tr[data-parameter="mode"]')),
        /one of "fast", "slow"/,
      );
      assert.match(await text(params.locator('tr[data-parameter="retries"]')), /integer\s*1/);
      assert.deepEqual(ui.w.take(), []);
    });

    it("runs it through the form made from its parameter schema, refusing bad values next to their fields", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/deployments/deployment/${deployment.id}`);
      await page.getByRole("button", { name: "Run", exact: true }).click();
      const form = page.getByRole("form", { name: "Run nightly" });
      // started with the deployment's values and the schema's defaults
      assert.equal(await form.getByLabel("day").inputValue(), "today");
      assert.equal(await form.getByLabel("full").isChecked(), false);
      assert.equal(await form.getByLabel("mode").locator("option:checked").textContent(), "fast");
      assert.equal(await form.getByLabel("retries").inputValue(), "1");
      assert.equal(await form.getByLabel("regions").inputValue(), "");
      await form.getByLabel("Flow run name").fill("manual-1");

      // checked in the browser: nothing is sent
      await form.getByLabel("day").fill("");
      await form.getByLabel("retries").fill("9");
      await form.getByLabel("regions").fill('["eu", 3]');
      await form.getByRole("button", { name: "Run", exact: true }).click();
      await form.getByText("Fix the fields marked above").waitFor();
      const errorOf = async (name: string) => {
        const input = form.getByLabel(name, { exact: true });
        if ((await input.getAttribute("aria-invalid")) !== "true") return null;
        const id = (await input.getAttribute("aria-describedby")) ?? "";
        return text(page.locator(`[id="${id.split(" ")[0]}"]`));
      };
      assert.equal(await errorOf("day"), "Required");
      assert.equal(await errorOf("retries"), "Must be at most 5");
      assert.equal(await errorOf("regions"), "[1]: Must be a string");
      assert.equal(await errorOf("batch"), null);
      assert.deepEqual(await runsNamed("manual-1"), []);
      assert.deepEqual(ui.w.take(), []);
      await screenshot(page, `deployment-run-form-invalid-${dialect}`);

      // what the browser does not check (multipleOf), the server refuses, naming the field
      await form.getByLabel("day").fill("2026-12-01");
      await form.getByLabel("retries").fill("3");
      await form.getByLabel("regions").fill('["eu", "us"]');
      await form.getByLabel("batch").fill("150");
      await form.getByRole("button", { name: "Run", exact: true }).click();
      await form.locator('[data-parameter="batch"] .field-error').waitFor();
      const refusal = await call<{ detail: string }>(
        "POST",
        `/deployments/${deployment.id}/create_flow_run`,
        { parameters: { day: "2026-12-01", batch: 150 } },
        409,
      );
      assert.match(refusal.detail, /Validation failed for field 'batch'/);
      assert.equal(await errorOf("batch"), refusal.detail);
      assert.equal(await errorOf("day"), null);
      assert.deepEqual(await runsNamed("manual-1"), []);
      assert.deepEqual(problemsSeen(), [
        `409: POST /api/deployments/${deployment.id}/create_flow_run`,
        consoleError(409, "Conflict"),
      ]);
      await screenshot(page, `deployment-run-form-409-${dialect}`);

      await form.getByLabel("batch").fill("200");
      await form.getByLabel("full").check();
      await form.getByLabel("mode").selectOption("slow");
      await form.getByRole("button", { name: "Run", exact: true }).click();
      await form.waitFor({ state: "detached" });
      const notice = page.getByRole("status").filter({ hasText: "created" });
      await notice.getByRole("link", { name: "manual-1" }).waitFor();
      const [run] = await runsNamed("manual-1");
      assert.ok(run);
      assert.deepEqual(run.parameters, {
        day: "2026-12-01",
        full: true,
        mode: "slow",
        retries: 3,
        batch: 200,
        regions: ["eu", "us"],
      });
      assert.equal(run.state_type, "SCHEDULED");

      // among its runs
      const runs = page.getByRole("region", { name: "Runs" });
      await runs.getByRole("link", { name: "manual-1" }).waitFor();
      await screenshot(page, `deployment-runs-${dialect}`);

      // a quick run takes the deployment's parameters as they are
      await page.getByRole("button", { name: "Quick run" }).click();
      // the notice names the new run instead of manual-1
      const quick = page
        .getByRole("status")
        .filter({ hasText: "created" })
        .getByRole("link")
        .filter({ hasNotText: "manual-1" });
      await quick.waitFor();
      const quickName = await text(quick);
      const [quickRun] = await runsNamed(quickName);
      assert.deepEqual(quickRun?.parameters, { day: "today" });
      await runs.getByRole("link", { name: quickName }).waitFor();

      await runs.getByRole("link", { name: "manual-1" }).click();
      await page.waitForURL(`**/runs/flow-run/${run.id}`);
      await page.getByRole("heading", { name: /manual-1/ }).waitFor();
      // the run's page links back to its deployment
      await page.locator(".meta").getByRole("link", { name: "nightly" }).click();
      await page.waitForURL(`**/deployments/deployment/${deployment.id}`);
      await page.getByRole("heading", { name: "nightly", exact: true }).waitFor();
      assert.deepEqual(ui.w.take(), []);
    });

    it("runs a deployment that does not enforce its schema with what the schema would refuse", async () => {
      const { page } = ui;
      const loose = await call<Deployment>(
        "POST",
        "/deployments/",
        {
          name: "loose",
          flow_id: flowId,
          parameter_openapi_schema: PARAMETER_SCHEMA,
          enforce_parameter_schema: false,
        },
        201,
      );
      await page.goto(`${ui.base}/deployments/deployment/${loose.id}`);
      await page.getByRole("button", { name: "Run", exact: true }).click();
      const form = page.getByRole("form", { name: "Run loose" });
      assert.equal(await form.getByLabel("day").inputValue(), "");
      await form.getByLabel("retries").fill("9");
      await form.getByLabel("Flow run name").fill("loose-1");
      await form.getByRole("button", { name: "Run", exact: true }).click();
      await form.waitFor({ state: "detached" });
      const [run] = await call<FlowRun[]>("POST", "/flow_runs/filter", {
        flow_runs: { name: { any_: ["loose-1"] } },
      });
      assert.equal(run?.deployment_id, loose.id);
      assert.deepEqual(run?.parameters, { full: false, mode: "fast", retries: 9, batch: 100 });
      await call("DELETE", `/deployments/${loose.id}`, undefined, 204);
      assert.deepEqual(ui.w.take(), []);
    });

    it("shows upcoming runs on the dashboard and the flow's page, with the flow's deployments", async () => {
      const { page } = ui;
      // removing a schedule (the first test) deleted the scheduled runs, and the server's
      // scheduler makes them again only at its main loop (up to 60 s): make them now
      await call("POST", `/deployments/${deployment.id}/schedule`, {});
      await page.goto(`${ui.base}/dashboard`);
      const dashboard = page.getByRole("region", { name: "Upcoming runs" });
      // the scheduler remakes runs when schedules change: whichever it holds now is listed
      const row = dashboard.locator("tbody tr").filter({ hasText: "nightly" }).first();
      await row.waitFor({ timeout: 20_000 });
      await row.getByRole("link", { name: "etl" }).waitFor();
      const name = (await row.getAttribute("data-run")) ?? "";
      const [next] = await call<FlowRun[]>("POST", "/flow_runs/filter", {
        flow_runs: { name: { any_: [name] } },
      });
      assert.equal(next?.deployment_id, deployment.id);
      assert.equal(next?.state_type, "SCHEDULED");
      await screenshot(page, `dashboard-upcoming-${dialect}`);

      await page.goto(`${ui.base}/flows/flow/${flowId}`);
      await page
        .getByRole("region", { name: "Deployments" })
        .getByRole("link", { name: "nightly" })
        .waitFor();
      await page
        .getByRole("region", { name: "Upcoming runs" })
        .locator("tbody tr")
        .first()
        .waitFor({ timeout: 20_000 });
      await screenshot(page, `flow-upcoming-${dialect}`);

      // delete it from its page: back to the list, which is empty
      await page
        .getByRole("region", { name: "Deployments" })
        .getByRole("link", { name: "nightly" })
        .click();
      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL(/\/deployments$/);
      await page.getByRole("heading", { name: "No deployments yet" }).waitFor();
      await call("GET", `/deployments/${deployment.id}`, undefined, 404);
      assert.deepEqual(ui.w.take(), []);
    });
  });
}
