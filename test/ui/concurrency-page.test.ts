/**
 * The concurrency page (`/concurrency-limits`) in Debian's Chromium against a real server, on
 * SQLite and PostgreSQL: a global limit created, edited, disabled, reset and deleted through the
 * UI, with bad input answered next to its field; a task-run limit created, its slot held through
 * the API and its holder shown (linked to the task run), reset and deleted; the runs waiting for
 * a slot listed with the message saying on what.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Locator } from "playwright-core";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { consoleError, text, uiHarness } from "./ui-harness.ts";

interface GlobalLimit {
  id: string;
  name: string;
  limit: number;
  active: boolean;
  active_slots: number;
  slot_decay_per_second: number;
}
interface TagLimit {
  id: string;
  tag: string;
  concurrency_limit: number;
  active_slots: string[];
}

const CONSOLE_422 = consoleError(422, "Unprocessable Entity");

for (const dialect of DIALECTS) {
  describe(`the concurrency page in Chromium (${dialect})`, () => {
    // every confirmation (delete, reset) is accepted
    const ui = uiHarness(dialect, { acceptDialogs: true });
    const { call, problemsSeen } = ui;

    /** A flow run with a task run tagged `tags`, made through the API as a client records them. */
    async function taskRunTagged(
      name: string,
      tags: string[],
    ): Promise<{ flowRun: string; taskRun: string }> {
      // 201 the first time, 200 once the flow exists
      const flow = await call<{ id: string }>(
        "POST",
        "/flows/",
        { name: "concurrency-ui" },
        [200, 201],
      );
      const flowRun = await call<{ id: string }>(
        "POST",
        "/flow_runs/",
        { flow_id: flow.id, name: `${name}-flow`, state: { type: "RUNNING", name: "Running" } },
        201,
      );
      const taskRun = await call<{ id: string }>(
        "POST",
        "/task_runs/",
        { flow_run_id: flowRun.id, task_key: `${name}-key`, dynamic_key: "0", name, tags },
        201,
      );
      return { flowRun: flowRun.id, taskRun: taskRun.id };
    }

    const row = (name: string): Locator =>
      ui.page.locator(`tr[data-limit="${name}"], tr[data-tag="${name}"]`);

    it("creates, edits, disables, resets and deletes a global limit, with bad input shown next to its field", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/concurrency-limits`);
      await page.getByRole("heading", { name: "Concurrency" }).waitFor();
      await page.getByRole("heading", { name: "No global limits" }).waitFor();
      await page.getByRole("link", { name: "Concurrency" }).waitFor(); // in the sidebar

      await page.getByRole("button", { name: "Add global limit" }).click();
      const form = page.getByRole("form", { name: "New global limit" });
      await form.getByLabel("Name").fill("database");
      await form.getByLabel("Concurrency limit").fill("-1");
      await form.getByRole("button", { name: "Create" }).click();
      // the server's 422 message, next to the field it is about; the page stays
      const limitField = form.getByLabel("Concurrency limit");
      await form.locator(".field-error").waitFor();
      assert.equal(await limitField.getAttribute("aria-invalid"), "true");
      const message = await text(form.locator(".field-error"));
      assert.match(message, /greater than or equal to 0/);
      const describedBy = (await limitField.getAttribute("aria-describedby")) ?? "";
      assert.equal(await text(page.locator(`[id="${describedBy}"]`)), message);
      assert.equal(await form.getByLabel("Name").getAttribute("aria-invalid"), "false");
      assert.deepEqual(problemsSeen(), ["422: POST /api/v2/concurrency_limits/", CONSOLE_422]);
      await screenshot(page, `concurrency-422-${dialect}`);

      await form.getByLabel("Concurrency limit").fill("5");
      await form.getByLabel("Slot decay per second").fill("0");
      await form.getByRole("button", { name: "Create" }).click();
      await row("database").waitFor();
      await form.waitFor({ state: "detached" });
      assert.match(await text(row("database")), /0 \/ 5/);
      const created = await call<GlobalLimit>("GET", "/v2/concurrency_limits/database");
      assert.equal(created.limit, 5);
      assert.equal(created.active, true);

      // edit: a new name and limit
      await row("database").getByRole("button", { name: "Edit" }).click();
      const edit = page.getByRole("form", { name: "Edit database" });
      await edit.getByLabel("Name").fill("warehouse-db");
      await edit.getByLabel("Concurrency limit").fill("7");
      await edit.getByRole("button", { name: "Save" }).click();
      await row("warehouse-db").waitFor();
      assert.match(await text(row("warehouse-db")), /0 \/ 7/);
      const edited = await call<GlobalLimit>("GET", `/v2/concurrency_limits/${created.id}`);
      assert.equal(edited.name, "warehouse-db");
      assert.equal(edited.limit, 7);

      // a name already taken: the server's answer above the buttons, the form kept
      await page.getByRole("button", { name: "Add global limit" }).click();
      await form.getByLabel("Name").fill("warehouse-db");
      await form.getByLabel("Concurrency limit").fill("1");
      await form.getByRole("button", { name: "Create" }).click();
      const taken = form.locator(".form-error");
      await taken.waitFor();
      const conflict = await call<{ detail: string }>(
        "POST",
        "/v2/concurrency_limits/",
        { name: "warehouse-db", limit: 1 },
        409,
      );
      assert.equal(await text(taken), conflict.detail);
      assert.deepEqual(problemsSeen(), [
        "409: POST /api/v2/concurrency_limits/",
        "console: Failed to load resource: the server responded with a status of 409 (Conflict)",
      ]);
      await form.getByRole("button", { name: "Cancel" }).click();
      await form.waitFor({ state: "detached" });

      // disable, then enable again
      const toggle = row("warehouse-db").getByRole("switch", { name: "warehouse-db active" });
      await toggle.click();
      await row("warehouse-db").getByText("Inactive").waitFor();
      assert.equal(
        (await call<GlobalLimit>("GET", `/v2/concurrency_limits/${created.id}`)).active,
        false,
      );
      await toggle.click();
      await row("warehouse-db").getByText("Active", { exact: true }).waitFor();
      assert.equal(
        (await call<GlobalLimit>("GET", `/v2/concurrency_limits/${created.id}`)).active,
        true,
      );

      // a holder takes 2 slots through the API: the row names it (its flow run, linked)
      const { flowRun } = await taskRunTagged("global-holder", []);
      await call("POST", "/v2/concurrency_limits/increment-with-lease", {
        names: ["warehouse-db"],
        slots: 2,
        holder: { type: "flow_run", id: flowRun },
      });
      const holders = row("warehouse-db").getByRole("list", { name: "Holders" });
      await holders.getByRole("link", { name: "global-holder-flow" }).waitFor();
      assert.match(await text(row("warehouse-db")), /2 \/ 7/);
      assert.match(await text(holders), /2 slots/);
      await screenshot(page, `concurrency-global-${dialect}`);

      // reset the active slots
      await row("warehouse-db").getByRole("button", { name: "Reset" }).click();
      await row("warehouse-db").getByText("0 / 7").waitFor();
      assert.equal(
        (await call<GlobalLimit>("GET", `/v2/concurrency_limits/${created.id}`)).active_slots,
        0,
      );

      // delete
      await row("warehouse-db").getByRole("button", { name: "Delete" }).click();
      await page.getByRole("heading", { name: "No global limits" }).waitFor();
      await call("GET", `/v2/concurrency_limits/${created.id}`, undefined, 404);
      assert.deepEqual(ui.w.take(), []);
    });

    it("creates a task-run limit, shows the task run holding its slot and the one waiting, resets and deletes it", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/concurrency-limits?tab=task-run`);
      await page.getByRole("heading", { name: "No task-run limits" }).waitFor();

      await page.getByRole("button", { name: "Add task-run limit" }).click();
      const form = page.getByRole("form", { name: "New task-run limit" });
      await form.getByLabel("Tag").fill("warehouse");
      await form.getByRole("button", { name: "Create" }).click(); // no limit given
      await form.locator(".field-error").waitFor();
      assert.equal(await form.getByLabel("Concurrency limit").getAttribute("aria-invalid"), "true");
      assert.equal(await form.getByLabel("Tag").getAttribute("aria-invalid"), "false");
      assert.deepEqual(problemsSeen(), ["422: POST /api/concurrency_limits/", CONSOLE_422]);
      await form.getByLabel("Concurrency limit").fill("1");
      await form.getByRole("button", { name: "Create" }).click();
      await row("warehouse").waitFor();
      assert.match(await text(row("warehouse")), /0 \/ 1/);
      const created = await call<TagLimit>("GET", "/concurrency_limits/tag/warehouse");
      assert.equal(created.concurrency_limit, 1);

      // a task run takes the slot as the Python client does (v2, `tag:<tag>`, under a lease)
      const holder = await taskRunTagged("load-orders", ["warehouse"]);
      await call("POST", "/v2/concurrency_limits/increment-with-lease", {
        names: ["tag:warehouse"],
        slots: 1,
        holder: { type: "task_run", id: holder.taskRun },
      });
      // another waits for it
      const waiter = await taskRunTagged("load-more-orders", ["warehouse"]);
      const why = "Waiting for concurrency limit 'tag:warehouse' (1/1 slots taken)";
      await call(
        "POST",
        `/task_runs/${waiter.taskRun}/set_state`,
        {
          state: { type: "SCHEDULED", name: "AwaitingConcurrencySlot", message: why },
          force: true,
        },
        201,
      );

      const active = row("warehouse").getByRole("list", { name: "Active task runs" });
      await active.getByRole("link", { name: "load-orders" }).waitFor();
      assert.match(await text(row("warehouse")), /1 \/ 1/);
      const waiting = row("warehouse").getByRole("list", { name: "Waiting task runs" });
      await waiting.getByRole("link", { name: "load-more-orders" }).waitFor();
      const waitingCard = page.getByRole("region", { name: "Runs waiting for a slot" });
      await waitingCard.getByText(why).waitFor();
      await screenshot(page, `concurrency-task-run-${dialect}`);

      // the tag limit is a global limit `tag:warehouse` too, held by the same task run
      await page.getByRole("tab", { name: "Global" }).click();
      await row("tag:warehouse")
        .getByRole("list", { name: "Holders" })
        .getByRole("link", { name: "load-orders" })
        .waitFor();
      await page.getByRole("tab", { name: "Task Run" }).click();
      assert.match(page.url(), /tab=task-run/);

      // the holder's link opens its task run
      await row("warehouse").getByRole("link", { name: "load-orders" }).click();
      await page.waitForURL(`**/runs/task-run/${holder.taskRun}`);
      await page.getByRole("heading", { name: /load-orders/ }).waitFor();
      await page.goBack();

      // the limit's own page (Prefect's URL) lists the task run holding it and the one waiting
      await row("warehouse").getByRole("link", { name: "warehouse" }).click();
      await page.waitForURL(`**/concurrency-limits/concurrency-limit/${created.id}`);
      await page.getByRole("heading", { name: "warehouse", exact: true }).waitFor();
      await page
        .getByRole("region", { name: "Active task runs" })
        .getByRole("link", { name: "load-orders" })
        .waitFor();
      await page
        .getByRole("region", { name: "Waiting task runs" })
        .getByRole("link", { name: "load-more-orders" })
        .waitFor();
      await screenshot(page, `concurrency-tag-limit-${dialect}`);
      await page.locator(".breadcrumbs").getByRole("link", { name: "Concurrency" }).click();
      await page.waitForURL(/\/concurrency-limits\?tab=task-run$/);

      // reset frees the slot
      await row("warehouse").getByRole("button", { name: "Reset" }).click();
      await row("warehouse").getByText("0 / 1").waitFor();
      assert.deepEqual(
        (await call<TagLimit>("GET", "/concurrency_limits/tag/warehouse")).active_slots,
        [],
      );

      await row("warehouse").getByRole("button", { name: "Delete" }).click();
      await page.getByRole("heading", { name: "No task-run limits" }).waitFor();
      await call("GET", "/concurrency_limits/tag/warehouse", undefined, 404);
      assert.deepEqual(ui.w.take(), []);
    });
  });
}
