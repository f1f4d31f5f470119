/**
 * Cancelling a flow run from its page (`/runs/flow-run/{id}`) in Debian's Chromium against a real
 * server, on SQLite and PostgreSQL, and the reason of a run that ended badly shown in its header:
 * a Running run goes to Cancelling (what its worker or process then ends as Cancelled, with the
 * reason shown); a Scheduled one with no infrastructure is cancelled outright; a Crashed run shows
 * why, and finished runs offer no Cancel.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser, Locator } from "playwright-core";
import {
  ensureUiBuilt,
  launchChromium,
  screenshot,
  type WatchedPage,
  watchedPage,
} from "../helpers/browser.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface FlowRun {
  id: string;
  name: string;
  state_type: string;
  state: { message: string | null } | null;
}

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

for (const dialect of DIALECTS) {
  describe(`cancelling a flow run in Chromium (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let browser: Browser;
    let w: WatchedPage;
    let base = "";
    let flowId = "";
    const dialogs: string[] = [];

    async function call<T>(
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
    }

    const runIn = (name: string, type: string, stateName: string) =>
      call<FlowRun>(
        "POST",
        "/flow_runs/",
        { flow_id: flowId, name, state: { type, name: stateName } },
        201,
      );
    const readRun = (id: string) => call<FlowRun>("GET", `/flow_runs/${id}`);
    const badge = () => w.page.locator(".page-header h1 .state-badge");
    const cancel = () => w.page.getByRole("button", { name: "Cancel", exact: true });

    before(async () => {
      ensureUiBuilt();
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database, ui: {} });
      await app.listen({ host: "127.0.0.1", port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      flowId = (await call<{ id: string }>("POST", "/flows/", { name: "etl" }, [200, 201])).id;
      browser = await launchChromium();
      w = await watchedPage(browser);
      w.page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      await t?.dispose();
    });

    it("puts a Running run in Cancelling, then shows it Cancelled with the reason", async () => {
      const { page } = w;
      const run = await runIn("running-run", "RUNNING", "Running");
      await page.goto(`${base}/runs/flow-run/${run.id}`);
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
      assert.deepEqual(w.take(), []);
    });

    it("cancels a Scheduled run with no infrastructure outright", async () => {
      const { page } = w;
      const run = await runIn("scheduled-run", "SCHEDULED", "Scheduled");
      await page.goto(`${base}/runs/flow-run/${run.id}`);
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
      assert.deepEqual(w.take(), []);
    });

    it("shows why a run crashed, and offers no Cancel for finished runs", async () => {
      const { page } = w;
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
      await page.goto(`${base}/runs/flow-run/${run.id}`);
      await badge().getByText("Crashed").waitFor();
      assert.equal(
        await text(page.getByRole("status", { name: "State message" })),
        "Crashed: Flow run process exited with code 3",
      );
      assert.equal(await cancel().count(), 0);
      await screenshot(page, `crashed-reason-${dialect}`);

      // a Completed run: no Cancel, and its message is no alarm
      const done = await runIn("completed-run", "COMPLETED", "Completed");
      await page.goto(`${base}/runs/flow-run/${done.id}`);
      await badge().getByText("Completed").waitFor();
      await page.getByRole("button", { name: "Retry" }).waitFor();
      assert.equal(await cancel().count(), 0);
      assert.equal(await page.getByRole("status", { name: "State message" }).count(), 0);
      assert.deepEqual(w.take(), []);
    });
  });
}
