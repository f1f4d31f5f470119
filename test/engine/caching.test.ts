import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import type { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import {
  FLOW_PARAMETERS,
  flow,
  getRunContext,
  INPUTS,
  NO_CACHE,
  runtime,
  State,
  TASK_SOURCE,
  task,
  transaction,
} from "../../src/index.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

function counter() {
  const calls: unknown[] = [];
  return { calls, hit: (v: unknown) => calls.push(v) };
}

async function taskRunsOf(client: EmbeddedClient, flowRunId: string) {
  return client.readTaskRuns({ flowRunIds: [flowRunId] });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: results, caching and transactions (embedded)`, () => {
    let h: SdkHarness;
    let storage: string;
    before(async () => {
      h = await sdkHarness(dialect);
    });
    after(async () => {
      await h.close();
    });
    beforeEach(() => {
      storage = mkdtempSync(join(tmpdir(), "prefect-ts-storage-"));
      process.env.PREFECT_LOCAL_STORAGE_PATH = storage;
    });
    afterEach(() => {
      rmSync(storage, { recursive: true, force: true });
    });
    after(() => {
      delete process.env.PREFECT_LOCAL_STORAGE_PATH;
    });

    it("a cache key hit ends Cached with the result, without running the body", async () => {
      const c = counter();
      const t = task({ name: "keyed", cacheKeyFn: () => "fixed-key" }, async (x: number) => {
        c.hit(x);
        return { x, at: "value" };
      });
      const f = flow({ name: "keyed-flow" }, async () => {
        const first = await t.callWithState(1);
        const second = await t.callWithState(2);
        return { first, second, id: getRunContext()?.flowRun?.id ?? "" };
      });
      const { first, second, id } = (await f()) as { first: State; second: State; id: string };
      assert.deepEqual(c.calls, [1]);
      assert.equal(first.name, "Completed");
      assert.equal(second.name, "Cached");
      assert.equal(second.type, "COMPLETED");
      assert.deepEqual(await second.result(), { x: 1, at: "value" });
      assert.equal(first.persisted?.storage_key, join(storage, "fixed-key"));
      const runs = await taskRunsOf(h.client, id);
      const cached = runs.find((r) => r.state_name === "Cached");
      assert.ok(cached, "a Cached task run is recorded");
      // a state read back from the API loads its result from storage
      const fromApi = State.fromRecord(cached.state as NonNullable<typeof cached.state>);
      assert.equal(fromApi.hasData(), false);
      assert.deepEqual(await fromApi.result(), { x: 1, at: "value" });
      const meta = cached.state?.data as Record<string, unknown>;
      assert.deepEqual(Object.keys(meta).sort(), [
        "expiration",
        "prefect_version",
        "serializer",
        "storage_block_id",
        "storage_key",
      ]);
      assert.deepEqual(meta.serializer && (meta.serializer as { type: string }).type, "json");
    });

    it("DEFAULT caches within a flow run only; INPUTS across flow runs", async () => {
      const d = counter();
      const byDefault = task({ name: "by-default", persistResult: true }, async (x: number) => {
        d.hit(x);
        return x;
      });
      const i = counter();
      const byInputs = task({ name: "by-inputs", cachePolicy: INPUTS }, async (x: number) => {
        i.hit(x);
        return x;
      });
      const f = flow({ name: "policies" }, async () => {
        await byDefault(1);
        await byDefault(1);
        await byInputs(5);
        await byInputs(6);
      });
      await f();
      await f();
      assert.deepEqual(d.calls, [1, 1], "DEFAULT: once per flow run");
      assert.deepEqual(i.calls, [5, 6], "INPUTS: once per distinct input, across runs");
    });

    it("TASK_SOURCE keys on the function's source; NO_CACHE and persistResult:false never cache", async () => {
      const calls: string[] = [];
      const a = task({ name: "src", cachePolicy: TASK_SOURCE }, async () => calls.push("a"));
      const b = task({ name: "src", cachePolicy: TASK_SOURCE }, async () => calls.push("b") && 0);
      const n = task({ name: "none", cachePolicy: NO_CACHE, persistResult: true }, async () =>
        calls.push("n"),
      );
      const off = task({ name: "off", cacheKeyFn: () => "k-off", persistResult: false }, async () =>
        calls.push("off"),
      );
      await flow({ name: "sources" }, async () => {
        await a();
        await a();
        await b();
        await n();
        await n();
        await off();
        await off();
      })();
      assert.deepEqual(calls, ["a", "b", "n", "n", "off", "off"]);
    });

    it("FLOW_PARAMETERS keys on the flow run's parameters; plain tasks never touch storage", async () => {
      const c = counter();
      const byParams = task({ name: "by-params", cachePolicy: FLOW_PARAMETERS }, async () =>
        c.hit("ran"),
      );
      const plain = task({ name: "plain-one" }, async (x: number) => x);
      const f = flow({ name: "params-flow" }, async (day: string) => {
        await byParams();
        return day;
      });
      await f("mon");
      await f("mon");
      await f("tue");
      assert.deepEqual(c.calls, ["ran", "ran"]);
      rmSync(storage, { recursive: true, force: true });
      await flow({ name: "plain-flow" }, async () => plain(1))();
      assert.equal(existsSync(storage), false, "a plain task wrote nothing");
    });

    it("cacheExpiration lapses a record; refreshCache recomputes and overwrites it", async () => {
      const c = counter();
      const expiring = task(
        { name: "expiring", cacheKeyFn: () => "exp", cacheExpiration: 0 },
        async () => c.hit("e"),
      );
      const refreshed = task(
        { name: "refreshed", cacheKeyFn: () => "ref", refreshCache: true },
        async () => c.hit("r"),
      );
      const plain = task({ name: "reader", cacheKeyFn: () => "ref" }, async () => c.hit("never"));
      await flow({ name: "expiry" }, async () => {
        await expiring();
        await expiring();
        await refreshed();
        await refreshed();
        assert.equal(await plain(), 4, "reads the refreshed record");
      })();
      assert.deepEqual(c.calls, ["e", "e", "r", "r"]);
    });

    it("unhashable inputs: a warning, no caching, and the run completes", async () => {
      class Connection {
        open = true;
      }
      const c = counter();
      const t = task(
        { name: "with-conn", cachePolicy: INPUTS },
        async (conn: Connection, x: number) => {
          c.hit(x);
          return conn.open ? x : -1;
        },
      );
      const f = flow({ name: "unhashable" }, async () => {
        const conn = new Connection();
        return [await t(conn, 1), await t(conn, 1), getRunContext()?.flowRun?.id ?? ""] as const;
      });
      const [a, b, id] = await f();
      assert.deepEqual([a, b], [1, 1]);
      assert.deepEqual(c.calls, [1, 1]);
      await h.client.close().catch(() => undefined);
      const logs = await h.client.readLogs({ flowRunId: id });
      assert.ok(
        logs.some((l) => /input 'conn' of type 'Connection'/.test(l.message) && l.level === 30),
        "a warning names the input and its type",
      );
      assert.deepEqual(readdirSync(storage), []);
    });

    it("a value the serializer cannot handle fails the run with a clear message, writing nothing", async () => {
      const t = task({ name: "returns-map", persistResult: true }, async () => new Map([["a", 1]]));
      const richT = task(
        { name: "returns-map-rich", persistResult: true, resultSerializer: "rich-json" },
        async () => new Map([["a", 1]]),
      );
      const f = flow(
        { name: "bad-value" },
        async () => [await t.callWithState(), await richT()] as const,
      );
      const [state, rich] = await f();
      assert.equal(state.type, "FAILED");
      assert.match(state.message ?? "", /task 'returns-map'.*'Map'.*serializer 'json'/);
      assert.deepEqual(rich, new Map([["a", 1]]));
      assert.equal(readdirSync(storage).length, 1, "only the rich-json result was written");
    });

    it("resultStorageKey templates fill in parameters; results of flows persist too", async () => {
      const t = task(
        { name: "stored", resultStorageKey: "reports/{parameters.day}.json" },
        async (day: string) => `report ${day}`,
      );
      const f = flow({ name: "report-flow", persistResult: true }, async () => t("2024-06-01"));
      const state = await f.callWithState();
      assert.ok(existsSync(join(storage, "reports", "2024-06-01.json")));
      const run = await h.client.readFlowRun(state.stateDetails.flow_run_id as string);
      const back = State.fromRecord(run.state as NonNullable<typeof run.state>);
      assert.equal(await back.result(), "report 2024-06-01");
    });

    it("tasks inherit the flow's result storage and serializer unless they name their own", async () => {
      const flowDir = mkdtempSync(join(tmpdir(), "prefect-ts-flow-results-"));
      const ownDir = mkdtempSync(join(tmpdir(), "prefect-ts-task-results-"));
      const inherits = task({ name: "inherits", persistResult: true }, async () => new Set([1]));
      const own = task({ name: "own", resultStorage: ownDir }, async () => 2);
      const f = flow(
        {
          name: "flow-storage",
          resultStorage: flowDir,
          resultSerializer: "rich-json",
          persistResult: false,
        },
        async () => [await inherits.callWithState(), await own.callWithState()] as const,
      );
      const state = await f.callWithState();
      const [a, b] = await state.result();
      assert.equal(
        state.persisted,
        null,
        "persistResult: false keeps the flow's own result in memory",
      );
      assert.ok(a.persisted?.storage_key?.startsWith(flowDir));
      assert.equal((a.persisted?.serializer as { type?: string } | undefined)?.type, "rich-json");
      assert.ok(b.persisted?.storage_key?.startsWith(ownDir));
      assert.equal((b.persisted?.serializer as { type?: string } | undefined)?.type, "json");
      rmSync(flowDir, { recursive: true, force: true });
      rmSync(ownDir, { recursive: true, force: true });
    });

    it("transactions: a failure rolls back every task staged in it (hooks run, runs end RolledBack)", async () => {
      const events: string[] = [];
      const write = task(
        {
          name: "write-file",
          onCommit: [() => void events.push("commit write")],
          onRollback: [(txn) => void events.push(`undo write ${String(txn.get("path"))}`)],
        },
        async () => "written",
      );
      const check = task({ name: "check-file" }, async () => {
        throw new Error("bad data");
      });
      const f = flow({ name: "txn-flow" }, async () => {
        const id = getRunContext()?.flowRun?.id ?? "";
        try {
          await transaction({}, async (txn) => {
            txn.set("path", "out.csv");
            await write();
            await check();
          });
        } catch {
          events.push("caught");
        }
        return id;
      });
      const id = await f();
      assert.deepEqual(events, ["undo write out.csv", "caught"]);
      const runs = await taskRunsOf(h.client, id);
      assert.equal(runs.find((r) => r.name.startsWith("write-file"))?.state_name, "RolledBack");
      assert.equal(runs.find((r) => r.name.startsWith("check-file"))?.state_type, "FAILED");

      events.length = 0;
      await flow({ name: "txn-ok" }, async () => {
        await transaction({}, async () => {
          await write();
          assert.deepEqual(events, [], "commit waits for the transaction's end");
        });
      })();
      assert.deepEqual(events, ["commit write"]);
    });

    it("a committed transaction key makes later runs skip the work", async () => {
      const c = counter();
      const load = task({ name: "load" }, async () => c.hit("load"));
      const f = flow({ name: "idempotent" }, async () => {
        await transaction({ key: "load-2024-06-01" }, async (txn) => {
          if (txn.isCommitted()) return;
          await load();
        });
      });
      await f();
      await f();
      assert.deepEqual(c.calls, ["load"]);
    });

    it("flow retries reuse completed task runs: loops, mapped tasks, changed inputs, opt-out", async () => {
      const calls: string[] = [];
      const step = task({ name: "step" }, async (x: number) => {
        calls.push(`step ${x}`);
        return x;
      });
      const fresh = task({ name: "fresh", resume: false }, async () => {
        calls.push("fresh");
        return 0;
      });
      const byAttempt = task({ name: "by-attempt" }, async (n: number) => {
        calls.push(`attempt-input ${n}`);
        return n;
      });
      let failures = 1;
      const flaky = task({ name: "flaky" }, async (x: number) => {
        calls.push("flaky");
        if (failures-- > 0) throw new Error("once");
        return x;
      });
      const f = flow({ name: "resume-edges", retries: 1 }, async () => {
        let sum = 0;
        for (let i = 0; i < 3; i++) sum += await step(1); // same task, same input, three times
        const mapped = (await step.map([10, 20])) as number[];
        await fresh();
        await byAttempt(runtime.flowRun.runCount);
        return flaky(sum + mapped.reduce((a, b) => a + b, 0));
      });
      assert.equal(await f(), 33);
      assert.deepEqual(calls, [
        "step 1",
        "step 1",
        "step 1",
        "step 10",
        "step 20",
        "fresh",
        "attempt-input 1",
        "flaky",
        // attempt 2: only the opted-out task, the one with changed inputs, and the failed one
        "fresh",
        "attempt-input 2",
        "flaky",
      ]);
    });

    it("a changed task source is a different task across attempts", async () => {
      const calls: string[] = [];
      const v1 = task({ name: "evolving" }, async () => calls.push("v1"));
      const v2 = task({ name: "evolving" }, async () => calls.push("v2") + 0);
      let fail = true;
      const f = flow({ name: "source-change", retries: 1 }, async () => {
        await (runtime.flowRun.runCount === 1 ? v1() : v2());
        if (fail) {
          fail = false;
          throw new Error("once");
        }
      });
      await f();
      assert.deepEqual(calls, ["v1", "v2"]);
    });
  });
}
