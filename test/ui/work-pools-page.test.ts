/**
 * The work pool pages (`/work-pools`, `/work-pools/create`, `/work-pools/work-pool/{name}`,
 * `…/queue/{queue}`) in Debian's Chromium against a real server, on SQLite and PostgreSQL: a pool
 * created through the form (a refused limit shown next to its field first), with the process
 * template's variables and the heartbeat threshold on its page; a worker heartbeating through the
 * API shown Online and the pool Ready; its queues listed and one opened, edited, paused and
 * resumed, with the run a worker would start next; the pool paused and resumed, its limit set and
 * cleared; the pool linked from a deployment, on the dashboard; a queue and the pool deleted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { consoleError, text, uiHarness } from "./ui-harness.ts";

interface WorkPool {
  id: string;
  name: string;
  type: string;
  description: string | null;
  is_paused: boolean;
  concurrency_limit: number | null;
  status: string | null;
  default_queue_id: string;
  base_job_template: { variables?: { properties?: Record<string, { default?: unknown }> } };
}
interface WorkQueue {
  id: string;
  name: string;
  priority: number;
  concurrency_limit: number | null;
  is_paused: boolean;
}

const CONSOLE_422 = consoleError(422, "Unprocessable Entity");

for (const dialect of DIALECTS) {
  describe(`the work pool pages in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect, { acceptDialogs: true });
    const { call, problemsSeen } = ui;

    const readPool = () => call<WorkPool>("GET", "/work_pools/local");
    const readQueue = (name: string) => call<WorkQueue>("GET", `/work_pools/local/queues/${name}`);

    it("creates a pool through the form and shows its template, worker, queues, limit and pause", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/work-pools`);
      await page.getByRole("heading", { level: 1, name: "Work Pools" }).waitFor();
      await page.getByRole("heading", { name: "No work pools yet" }).waitFor();
      await page.getByText("npx prefect-ts work-pool create local --type process").waitFor();
      await page.locator(".sidebar").getByRole("link", { name: "Work Pools" }).waitFor();

      // the form: process by default, its template shown as JSON
      await page.getByRole("link", { name: "Create work pool" }).click();
      await page.waitForURL("**/work-pools/create");
      const form = page.getByRole("form", { name: "New work pool" });
      const template = form.getByLabel("Base job template");
      // the type's default template arrives with the worker types
      await page.waitForFunction(
        '(document.querySelector("textarea")?.value ?? "").includes("working_dir")',
      );
      assert.equal(await form.getByLabel("Type").inputValue(), "process");
      const shown = JSON.parse(await template.inputValue()) as WorkPool["base_job_template"];
      assert.deepEqual(Object.keys(shown.variables?.properties ?? {}).sort(), [
        "command",
        "env",
        "labels",
        "name",
        "stream_output",
        "working_dir",
      ]);

      // a limit the server refuses: its message next to the field, nothing created
      await form.getByLabel("Name").fill("local");
      await form.getByLabel("Description").fill("Runs on this machine");
      await form.getByLabel("Concurrency limit").fill("-1");
      await form.getByRole("button", { name: "Create" }).click();
      await form.locator(".field-error").waitFor();
      assert.equal(await form.getByLabel("Concurrency limit").getAttribute("aria-invalid"), "true");
      assert.match(await text(form.locator(".field-error")), /greater than or equal to 0/);
      assert.deepEqual(problemsSeen(), ["422: POST /api/work_pools/", CONSOLE_422]);
      await call("GET", "/work_pools/local", undefined, 404);

      // a template that is not JSON: refused in the browser, nothing sent
      await form.getByLabel("Concurrency limit").fill("5");
      const good = await template.inputValue();
      await template.fill("{ not json");
      await form.getByRole("button", { name: "Create" }).click();
      await form.getByText(/The base job template must be a JSON object/).waitFor();
      assert.deepEqual(problemsSeen(), []);
      await template.fill(good);
      await screenshot(page, `work-pool-create-${dialect}`);

      await form.getByRole("button", { name: "Create" }).click();
      await page.waitForURL("**/work-pools/work-pool/local");
      await page.getByRole("heading", { level: 1, name: /local/ }).waitFor();
      const pool = await readPool();
      assert.equal(pool.type, "process");
      assert.equal(pool.description, "Runs on this machine");
      assert.equal(pool.concurrency_limit, 5);
      assert.equal(pool.status, "NOT_READY");
      assert.deepEqual(pool.base_job_template, shown);

      // details: the template's variables with their defaults, the heartbeat threshold
      const header = page.locator(".page-header");
      await header.getByText("Not ready").first().waitFor();
      assert.match(await text(page.getByTestId("pool-concurrency")), /0 \/ 5/);
      await header.getByRole("link", { name: "default" }).waitFor();
      assert.match(
        await text(page.getByTestId("heartbeat-threshold")),
        /Workers are offline after 90 s without a heartbeat/,
      );
      const variables = page.getByRole("table", { name: "Job variables" });
      await variables.locator('tr[data-variable="stream_output"]').getByText("true").waitFor();
      assert.match(await text(variables.locator('tr[data-variable="env"]')), /object/);
      await screenshot(page, `work-pool-details-${dialect}`);

      // the list shows it
      await page.locator(".breadcrumbs").getByRole("link", { name: "Work Pools" }).click();
      const row = page.locator('tr[data-pool="local"]');
      await row.waitFor();
      assert.match(await text(row), /process/);
      assert.match(await text(row), /Not ready/);
      assert.match(await text(row), /0 \/ 5/);
      await screenshot(page, `work-pools-list-${dialect}`);

      // a worker heartbeats (as Prefect's worker does): Online, and the pool Ready
      await call(
        "POST",
        "/work_pools/local/workers/heartbeat",
        { name: "ProcessWorker-1f2e", heartbeat_interval_seconds: 30 },
        204,
      );
      await row.getByText("Ready", { exact: true }).waitFor();
      await row.getByRole("link", { name: "local" }).click();
      await page.getByRole("tab", { name: "Workers" }).click();
      const worker = page.locator('tr[data-worker="ProcessWorker-1f2e"]');
      await worker.getByText("Online").waitFor();
      assert.match(await text(worker), /seconds? ago|now/);
      assert.match(await text(worker), /30 s/);
      await header.getByText("Ready", { exact: true }).first().waitFor();
      assert.match(page.url(), /tab=workers/);
      await screenshot(page, `work-pool-workers-${dialect}`);

      // queues: the default one and one made through the API, linked to their pages
      await call("POST", "/work_pools/local/queues", { name: "urgent", priority: 1 }, 201);
      await page.getByRole("tab", { name: "Work Queues" }).click();
      const urgent = page.locator('tr[data-queue="urgent"]');
      await urgent.waitFor();
      const queueRows = await page
        .locator(".queues-table tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-queue")));
      assert.deepEqual(queueRows, ["urgent", "default"]); // by priority
      assert.match(await text(page.locator('tr[data-queue="default"]')), /default/);

      // pause and resume the queue from the list
      const urgentActive = urgent.getByRole("switch", { name: "Queue urgent active" });
      await urgentActive.click();
      await urgent.getByText("Paused").first().waitFor();
      assert.equal((await readQueue("urgent")).is_paused, true);
      await urgentActive.click();
      await urgent.getByText("Active", { exact: true }).waitFor();
      assert.equal((await readQueue("urgent")).is_paused, false);

      // pause and resume the pool
      const poolActive = page.getByRole("switch", { name: "local active" });
      await poolActive.click();
      await header.getByText("Paused").first().waitFor();
      assert.equal((await readPool()).is_paused, true);
      assert.equal((await readPool()).status, "PAUSED");
      await poolActive.click();
      await header.getByText("Ready", { exact: true }).first().waitFor();
      assert.equal((await readPool()).is_paused, false);

      // the concurrency limit: a refused one next to its field, then 3, then none
      await page.getByRole("button", { name: "Edit concurrency limit" }).click();
      const limitForm = page.getByRole("form", { name: "Concurrency limit of local" });
      await limitForm.getByLabel("Concurrency limit").fill("-2");
      await limitForm.getByRole("button", { name: "Save" }).click();
      await limitForm.locator(".field-error").waitFor();
      assert.deepEqual(problemsSeen(), ["422: PATCH /api/work_pools/local", CONSOLE_422]);
      await limitForm.getByLabel("Concurrency limit").fill("3");
      await limitForm.getByRole("button", { name: "Save" }).click();
      await limitForm.waitFor({ state: "detached" });
      await page.getByTestId("pool-concurrency").getByText("0 / 3").waitFor();
      assert.equal((await readPool()).concurrency_limit, 3);
      await page.getByRole("button", { name: "Edit concurrency limit" }).click();
      await limitForm.getByRole("button", { name: "No limit" }).click();
      await page.getByTestId("pool-concurrency").getByText("Unlimited").waitFor();
      assert.equal((await readPool()).concurrency_limit, null);
      assert.deepEqual(ui.w.take(), []);
    });

    it("shows a queue's page: edits it, pauses it, lists the run its workers would start, deletes it", async () => {
      const { page } = ui;
      // a deployment of the pool, sending to the urgent queue, and a run of it due now
      const flow = await call<{ id: string }>("POST", "/flows/", { name: "etl" }, [200, 201]);
      const deployment = await call<{ id: string }>(
        "POST",
        "/deployments/",
        {
          name: "nightly",
          flow_id: flow.id,
          work_pool_name: "local",
          work_queue_name: "urgent",
          enforce_parameter_schema: false,
        },
        201,
      );
      const run = await call<{ id: string; name: string }>(
        "POST",
        `/deployments/${deployment.id}/create_flow_run`,
        { name: "urgent-run" },
        201,
      );

      // the deployment links to its pool
      await page.goto(`${ui.base}/deployments/deployment/${deployment.id}`);
      await page.locator(".page-header").getByRole("link", { name: "local" }).click();
      await page.waitForURL("**/work-pools/work-pool/local");

      await page.getByRole("tab", { name: "Work Queues" }).click();
      await page.locator('tr[data-queue="urgent"]').getByRole("link", { name: "urgent" }).click();
      await page.waitForURL("**/work-pools/work-pool/local/queue/urgent");
      await page.getByRole("heading", { level: 1, name: /urgent/ }).waitFor();
      assert.equal(await text(page.getByTestId("queue-priority")), "1");

      // the run a worker of the queue would start next; looking is not a poll
      const upcoming = page.getByRole("region", { name: "Upcoming runs" });
      await upcoming
        .locator(`tr[data-run="${run.name}"]`)
        .getByRole("link", { name: "nightly" })
        .waitFor();
      const polled = await call<{ last_polled: string | null }>(
        "GET",
        "/work_pools/local/queues/urgent",
      );
      assert.equal(polled.last_polled, null);
      await screenshot(page, `work-queue-${dialect}`);

      // edit: priority 2 (the default queue moves up), a limit of 4, a description
      await page.getByRole("button", { name: "Edit", exact: true }).click();
      const form = page.getByRole("form", { name: "Edit urgent" });
      await form.getByLabel("Priority").fill("0");
      await form.getByRole("button", { name: "Save" }).click();
      await form.locator(".field-error").waitFor(); // priority must be above 0
      assert.equal(await form.getByLabel("Priority").getAttribute("aria-invalid"), "true");
      assert.deepEqual(problemsSeen(), [
        "422: PATCH /api/work_pools/local/queues/urgent",
        CONSOLE_422,
      ]);
      await form.getByLabel("Priority").fill("2");
      await form.getByLabel("Concurrency limit").fill("4");
      await form.getByLabel("Description").fill("Pages at night");
      await form.getByRole("button", { name: "Save" }).click();
      await form.waitFor({ state: "detached" });
      await page.getByTestId("queue-concurrency").getByText("0 / 4").waitFor();
      await page.getByText("Pages at night").waitFor();
      const edited = await readQueue("urgent");
      assert.equal(edited.priority, 2);
      assert.equal(edited.concurrency_limit, 4);
      assert.equal(await text(page.getByTestId("queue-priority")), "2");

      // pause: its workers take nothing (the list says so); resume: the run is back
      const active = page.getByRole("switch", { name: "Queue urgent active" });
      await active.click();
      await upcoming.getByText("The queue is paused").waitFor();
      assert.equal((await readQueue("urgent")).is_paused, true);
      await active.click();
      await upcoming.locator(`tr[data-run="${run.name}"]`).waitFor();
      assert.equal((await readQueue("urgent")).is_paused, false);

      // the run links to its pool and queue
      await upcoming.getByRole("link", { name: run.name }).click();
      await page.waitForURL(`**/runs/flow-run/${run.id}`);
      const runHeader = page.locator(".page-header");
      await runHeader.getByRole("link", { name: "urgent" }).click();
      await page.waitForURL("**/work-pools/work-pool/local/queue/urgent");

      // the default queue cannot be deleted: no button there
      await page.goto(`${ui.base}/work-pools/work-pool/local/queue/default`);
      await page.getByRole("heading", { level: 1, name: /default/ }).waitFor();
      await page.getByText("(its default queue)").waitFor();
      assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0);

      // delete the urgent queue from its page
      await page.goto(`${ui.base}/work-pools/work-pool/local/queue/urgent`);
      await page.getByRole("heading", { level: 1, name: /urgent/ }).waitFor();
      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL("**/work-pools/work-pool/local?tab=queues");
      await page.locator('tr[data-queue="default"]').waitFor();
      assert.equal(await page.locator('tr[data-queue="urgent"]').count(), 0);
      await call("GET", "/work_pools/local/queues/urgent", undefined, 404);
      assert.deepEqual(ui.w.take(), []);
    });

    it("lists the pool's runs and deployments on its tabs", async () => {
      const { page } = ui;
      // deleting `urgent` unlinked its deployment and run (Prefect: SET NULL): send them to the
      // pool's default queue again
      const flow = await call<{ id: string }>("POST", "/flows/", { name: "etl" }, [200, 201]);
      const nightly = await call<{ id: string }>(
        "POST",
        "/deployments/",
        {
          name: "nightly",
          flow_id: flow.id,
          work_pool_name: "local",
          enforce_parameter_schema: false,
        },
        [200, 201],
      );
      await call("POST", `/deployments/${nightly.id}/create_flow_run`, { name: "urgent-run" }, 201);
      await page.goto(`${ui.base}/work-pools/work-pool/local?tab=deployments`);
      await page.locator('tr[data-deployment="nightly"]').waitFor({ timeout: 8_000 });
      await page.getByRole("tab", { name: "Runs" }).click();
      await page.getByRole("link", { name: "urgent-run" }).waitFor({ timeout: 8_000 });
    });

    it("shows the pool on the dashboard, then deletes it", async () => {
      const { page } = ui;
      await call(
        "POST",
        "/work_pools/local/workers/heartbeat",
        { name: "ProcessWorker-1f2e", heartbeat_interval_seconds: 30 },
        204,
      );
      await page.goto(`${ui.base}/dashboard`);
      const card = page.getByRole("region", { name: "Active work pools" });
      await card.locator('tr[data-pool="local"]').getByText("Ready", { exact: true }).waitFor();
      await card.getByRole("link", { name: "local" }).click();
      await page.waitForURL("**/work-pools/work-pool/local");

      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL(/\/work-pools$/);
      await page.getByRole("heading", { name: "No work pools yet" }).waitFor();
      await call("GET", "/work_pools/local", undefined, 404);
      assert.deepEqual(ui.w.take(), []);
    });
  });
}
