/**
 * Cancelling a flow run from its page (`/runs/flow-run/{id}`) in Debian's Chromium against a real
 * server, on SQLite and PostgreSQL, and the reason of a run that ended badly shown in its header:
 * a Running run goes to Cancelling (what its worker or process then ends as Cancelled, with the
 * reason shown); a Scheduled one with no infrastructure is cancelled outright; a Crashed run shows
 * why, and finished runs offer no Cancel.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { text, uiHarness } from "./ui-harness.ts";

interface FlowRun {
  id: string;
  name: string;
  state_type: string;
  state: { message: string | null } | null;
}

for (const dialect of DIALECTS) {
  describe(`cancelling a flow run in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect);
    const { call } = ui;
    let flowId = "";
    const dialogs: string[] = [];

    const runIn = (name: string, type: string, stateName: string) =>
      call<FlowRun>(
        "POST",
        "/flow_runs/",
        { flow_id: flowId, name, state: { type, name: stateName } },
        201,
      );
    const readRun = (id: string) => call<FlowRun>("GET", `/flow_runs/${id}`);
    const badge = () => ui.page.locator(".page-header h1 .state-badge");
    const cancel = () => ui.page.getByRole("button", { name: "Cancel", exact: true });

    before(async () => {
      flowId = (await call<{ id: string }>("POST", "/flows/", { name: "etl" }, [200, 201])).id;
      ui.page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
    });

    it("puts a Running run in Cancelling, then shows it Cancelled with the reason", async () => {
      const { page } = ui;
      const run = await runIn("running-run", "RUNNING", "Running");
      await page.goto(`${ui.base}/runs/flow-run/${run.id}`);
      await badge().getByText("Running").waitFor();
      await cancel().click();
      await badge().getByText("Cancelling").waitFor();
      assert.match(dialogs.at(-1) ?? "", /Cancel flow run running-run\?/);
      const cancelling = await readRun(run.id);
      assert.equal(cancelling.state_type, "CANCELLING");
      assert.equal(cancelling.state?.message, "Cancelled from the UI");
      // no second Cancel while it is being cancelled, and nothing went wrong
      assert.equal(await cancel().count(), 0);
      assert.equal(await page.locator(".actions .banner").count(), 0);
      await screenshot(page, `cancel-cancelling-${dialect}`);

      // what the worker reports once it has stopped the run's process: the page follows by itself
      const why = "Flow run was cancelled: its process group was terminated by the worker.";
      await call(
        "POST",
        `/flow_runs/${run.id}/set_state`,
        { state: { type: "CANCELLED", name: "Cancelled", message: why } },
        201,
      );
      await badge().getByText("Cancelled").waitFor();
      const reason = page.getByRole("status", { name: "State message" });
      await reason.waitFor();
      assert.equal(await text(reason), `Cancelled: ${why}`);
      assert.equal(await cancel().count(), 0);
      await page.getByRole("button", { name: "Retry" }).waitFor();
      await screenshot(page, `cancel-cancelled-${dialect}`);
      assert.deepEqual(ui.w.take(), []);
    });

    it("cancels a Scheduled run with no infrastructure outright", async () => {
      const { page } = ui;
      const run = await runIn("scheduled-run", "SCHEDULED", "Scheduled");
      await page.goto(`${ui.base}/runs/flow-run/${run.id}`);
      await badge().getByText("Scheduled").waitFor();
      await cancel().click();
      await badge().getByText("Cancelled").waitFor();
      assert.equal((await readRun(run.id)).state_type, "CANCELLED");
      // the server's answer (REJECT to Cancelled) is what was asked for: no warning
      await page
        .getByRole("status", { name: "State message" })
        .getByText(/no infrastructure to cancel/)
        .waitFor();
      assert.equal(await page.locator(".actions .banner").count(), 0);
      assert.deepEqual(ui.w.take(), []);
    });

    it("shows why a run crashed, and offers no Cancel for finished runs", async () => {
      const { page } = ui;
      const run = await runIn("crashed-run", "RUNNING", "Running");
      await call(
        "POST",
        `/flow_runs/${run.id}/set_state`,
        {
          state: {
            type: "CRASHED",
            name: "Crashed",
            message: "Flow run process exited with code 3",
          },
          force: true,
        },
        201,
      );
      await page.goto(`${ui.base}/runs/flow-run/${run.id}`);
      await badge().getByText("Crashed").waitFor();
      assert.equal(
        await text(page.getByRole("status", { name: "State message" })),
        "Crashed: Flow run process exited with code 3",
      );
      assert.equal(await cancel().count(), 0);
      await screenshot(page, `crashed-reason-${dialect}`);

      // a Completed run: no Cancel, and its message is no alarm
      const done = await runIn("completed-run", "COMPLETED", "Completed");
      await page.goto(`${ui.base}/runs/flow-run/${done.id}`);
      await badge().getByText("Completed").waitFor();
      await page.getByRole("button", { name: "Retry" }).waitFor();
      assert.equal(await cancel().count(), 0);
      assert.equal(await page.getByRole("status", { name: "State message" }).count(), 0);
      assert.deepEqual(ui.w.take(), []);
    });
  });
}
