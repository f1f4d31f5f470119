import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { flow, task } from "../../src/index.ts";

describe("PREFECT_* defaults for flows and tasks", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("takes default retries and delays from the settings when a flow or task gives none", () => {
    process.env.PREFECT_TASK_DEFAULT_RETRIES = "2";
    process.env.PREFECT_TASK_DEFAULT_RETRY_DELAY_SECONDS = "5";
    process.env.PREFECT_FLOW_DEFAULT_RETRIES = "1";
    const t = task(async () => 1);
    const f = flow(async () => 1);
    assert.equal(t.retries, 2);
    assert.equal(t.retryDelaySeconds, 5);
    assert.equal(f.retries, 1);
    assert.equal(task({ retries: 0 }, async () => 1).retries, 0);
  });

  it("rejects a bad default with the settings error", () => {
    process.env.PREFECT_TASK_DEFAULT_RETRIES = "many";
    assert.throws(() => task(async () => 1), /PREFECT_TASK_DEFAULT_RETRIES/);
  });
});
