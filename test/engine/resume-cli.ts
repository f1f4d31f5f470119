// The CLI retry of a failed flow run, on one dialect (a file per dialect: each spawns processes).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { runCli } from "../cli/helpers.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

async function taskRunsOf(client: EmbeddedClient, flowRunId: string) {
  return client.readTaskRuns({ flowRunIds: [flowRunId] });
}

export function cliRetrySuite(dialect: "sqlite" | "postgres"): void {
  describe(`${dialect}: resuming a failed flow run from the CLI`, () => {
    let h: SdkHarness;
    let storage: string;
    before(async () => {
      h = await sdkHarness(dialect);
      storage = mkdtempSync(join(tmpdir(), "prefect-ts-storage-"));
    });
    after(async () => {
      await h.close();
      rmSync(storage, { recursive: true, force: true });
    });

    it("a failed flow run retried from the CLI re-runs only what failed", async () => {
      const counts = mkdtempSync(join(tmpdir(), "prefect-ts-counts-"));
      const env = {
        PREFECT_HOME: h.db.home,
        PREFECT_API_DATABASE_CONNECTION_URL: h.db.url,
        PREFECT_LOCAL_STORAGE_PATH: storage,
        COUNT_DIR: counts,
      };
      const fixture = ["--import", "tsx", "test/fixtures/resumable-flow.ts"];
      const firstRun = spawn(process.execPath, fixture, {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      firstRun.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      const [code] = await once(firstRun, "exit");
      assert.equal(code, 3, "the first attempt fails");
      const id = /RUN (\S+)/.exec(out)?.[1] ?? "";
      assert.equal((await h.client.readFlowRun(id)).state_type, "FAILED");

      const retried = await runCli(
        ["flow-run", "retry", id, "--", process.execPath, ...fixture],
        env,
      );
      assert.equal(retried.code, 0, retried.stderr);
      assert.match(retried.stdout, /OUT 500/);
      assert.equal(
        readFileSync(join(counts, "first.count"), "utf8").length,
        2,
        "first(1), first(2) ran once each",
      );
      assert.equal(readFileSync(join(counts, "flaky.count"), "utf8").length, 2, "flaky ran again");
      const run = await h.client.readFlowRun(id);
      assert.equal(run.state_type, "COMPLETED");
      assert.equal(run.run_count, 2);
      const cached = (await taskRunsOf(h.client, id)).filter((r) => r.state_name === "Cached");
      assert.equal(cached.length, 2);
      const again = await runCli(["flow-run", "retry", id], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /only failed, crashed or cancelled flow runs can be retried/);
      rmSync(counts, { recursive: true, force: true });
    });
  });
}
