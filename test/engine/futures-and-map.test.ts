import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  allowFailure,
  asCompleted,
  flow,
  PrefectFuture,
  runtime,
  task,
  UpstreamTaskError,
  unmapped,
  wait,
} from "../../src/index.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

/** A gate a test opens by hand: no sleeping to order concurrent work. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: futures, map and the task runner`, () => {
    let h: SdkHarness;
    before(async () => {
      h = await sdkHarness(dialect);
    });
    after(async () => {
      await h.close();
    });

    it("maps over arrays, passes unmapped values whole, and awaits to the results in order", async () => {
      const scale = task(
        { name: "scale" },
        async (x: number, factor: number, extra: number[]) => x * factor + extra.length,
      );
      const f = flow({ name: "mapping" }, async () => scale.map([1, 2, 3], 10, unmapped([0, 0])));
      assert.deepEqual(await f(), [12, 22, 32]);
    });

    it("records futures passed as arguments as upstream task_inputs", async () => {
      const one = task({ name: "one" }, async () => 1);
      const plus = task({ name: "plus" }, async (a: number, b: number) => a + b);
      let ids: { a: string; b: string; c: string } = { a: "", b: "", c: "" };
      const f = flow({ name: "graph" }, async () => {
        const a = one.submit();
        const b = one.submit();
        const c = plus.submit(a, b);
        ids = { a: a.taskRunId, b: b.taskRunId, c: c.taskRunId };
        return c;
      });
      assert.equal(await f(), 2);
      const c = await h.client.readTaskRun(ids.c);
      assert.deepEqual(c.task_inputs, {
        a: [{ input_type: "task_run", id: ids.a }],
        b: [{ input_type: "task_run", id: ids.b }],
      });
    });

    it("leaves a task NotReady when an upstream failed, unless allowFailure", async () => {
      const bad = task({ name: "bad" }, async (): Promise<number> => {
        throw new Error("upstream broke");
      });
      const use = task({ name: "use" }, async (x: unknown) =>
        x instanceof Error ? `saw ${x.message}` : x,
      );
      const f = flow({ name: "upstream" }, async () => {
        const b = bad.submit();
        const blocked = await use.callWithState(b);
        const tolerant = await use(allowFailure(b));
        return { blocked, tolerant };
      });
      const out = (await f()) as {
        blocked: { type: string; name: string; result(): Promise<unknown> };
        tolerant: string;
      };
      assert.equal(out.blocked.type, "PENDING");
      assert.equal(out.blocked.name, "NotReady");
      await assert.rejects(() => out.blocked.result(), UpstreamTaskError);
      assert.equal(out.tolerant, "saw upstream broke");
    });

    it("waitFor makes a run wait for futures it does not take results from", async () => {
      const order: string[] = [];
      const g = gate();
      const first = task({ name: "first" }, async () => {
        await g.opened;
        order.push("first");
      });
      const second = task({ name: "second" }, async () => void order.push("second"));
      const f = flow({ name: "wait-for" }, async () => {
        const a = first.submit();
        const b = second.waitFor([a]).submit();
        g.open();
        await b.wait();
        return b.taskRunId;
      });
      const bId = (await f()) as string;
      assert.deepEqual(order, ["first", "second"]);
      const b = await h.client.readTaskRun(bId);
      assert.equal(b.task_inputs.wait_for?.length, 1);
    });

    it("wait() and asCompleted() follow the futures as they finish", async () => {
      const gates = [gate(), gate(), gate()];
      const t = task({ name: "gated" }, async (i: number) => {
        await gates[i]?.opened;
        return i;
      });
      const f = flow({ name: "as-completed" }, async () => {
        const futures = [0, 1, 2].map((i) => t.submit(i));
        gates[2]?.open();
        gates[0]?.open();
        const seen: number[] = [];
        let n = 0;
        for await (const fut of asCompleted(futures)) {
          assert.ok(fut instanceof PrefectFuture);
          seen.push(await fut.result());
          if (++n === 2) gates[1]?.open();
        }
        const { done, notDone } = await wait(futures);
        return { seen, done: done.length, notDone: notDone.length };
      });
      const out = (await f()) as { seen: number[]; done: number; notDone: number };
      assert.deepEqual(out.seen.slice(2), [1]);
      assert.deepEqual([...out.seen.slice(0, 2)].sort(), [0, 2]);
      assert.equal(out.done, 3);
      assert.equal(out.notDone, 0);
    });

    it("runs submitted tasks concurrently, no more than the runner's limit at once", async () => {
      let active = 0;
      let peak = 0;
      const t = task({ name: "busy" }, async (_i: number) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
      });
      const limited = flow({ name: "limited", taskRunner: { maxConcurrency: 2 } }, async () => {
        await t.map([1, 2, 3, 4, 5, 6]);
      });
      await limited();
      assert.equal(peak, 2);
      peak = 0;
      const open = flow({ name: "unlimited" }, async () => {
        await t.map([1, 2, 3, 4, 5, 6]);
      });
      await open();
      assert.equal(peak, 6);
    });

    it("lets the rest of the process run during a large map of trivial tasks, and keeps submission order", async () => {
      const started: number[] = [];
      const quick = task({ name: "quick" }, async (i: number) => {
        started.push(i);
        return i;
      });
      let seenByTimer = -1;
      const big = flow({ name: "big-map" }, async () => {
        // an immediate queued before the map gets its turn long before the map is done
        setImmediate(() => {
          seenByTimer = started.length;
        });
        return await quick.map(Array.from({ length: 3000 }, (_, i) => i));
      });
      const results = await big();
      assert.equal(results.length, 3000);
      assert.ok(seenByTimer >= 0 && seenByTimer < 3000, `the immediate saw ${seenByTimer} started`);
      assert.deepEqual(
        started,
        Array.from({ length: 3000 }, (_, i) => i),
      );
    });

    it("waits for submitted task runs the flow did not await before finishing", async () => {
      const t = task({ name: "forgotten" }, async () => {
        await new Promise((r) => setImmediate(r));
        return runtime.taskRun.id;
      });
      let id = "";
      const f = flow({ name: "forgetful" }, async () => {
        id = t.submit().taskRunId;
        return "done";
      });
      assert.equal(await f(), "done");
      const run = await h.client.readTaskRun(id);
      assert.equal(run.state_type, "COMPLETED");
    });
  });
}
