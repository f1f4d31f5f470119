import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import {
  DEFAULT,
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
import { createApp } from "../../src/server/app.ts";
import { runCli } from "../cli/helpers.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
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

describe("SERIALIZABLE: two processes racing on one key run the body once", () => {
  for (const kind of ["file", "redis"] as const) {
    it(`with the ${kind} lock manager`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "prefect-ts-race-"));
      const home = join(dir, "home");
      mkdirSync(home);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PREFECT_HOME: home,
        PREFECT_LOCAL_STORAGE_PATH: join(dir, "storage"),
      };
      delete env.PREFECT_API_URL;
      delete env.PREFECT_API_DATABASE_CONNECTION_URL;
      const namespace = `prefect-ts-race:${Date.now()}:${Math.random()}:`;
      const start = () => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "test/fixtures/caching-race.ts", kind, dir, namespace],
          { env, stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
        });
        return once(child, "exit").then(([code]) => ({ code, out }));
      };
      const results = await Promise.all([start(), start()]);
      for (const r of results) assert.equal(r.code, 0, r.out);
      const states = results.map(
        (r) =>
          JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}") as { name: string; value: number },
      );
      assert.deepEqual(
        states.map((s) => s.value),
        [70, 70],
      );
      assert.deepEqual(states.map((s) => s.name).sort(), ["Cached", "Completed"]);
      assert.equal(readFileSync(join(dir, "body.count"), "utf8"), "x");
      rmSync(dir, { recursive: true, force: true });
    });
  }
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: caching in client mode (against our server)`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let client: HttpClient;
    let storage: string;
    before(async () => {
      storage = mkdtempSync(join(tmpdir(), "prefect-ts-storage-"));
      process.env.PREFECT_LOCAL_STORAGE_PATH = storage;
      t = await createTestDatabase(dialect);
      app = await createApp({ database: t.database });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      client = new HttpClient(`${address}/api`);
      useClient(client);
    });
    after(async () => {
      await shutdownRuntime();
      await app.close();
      await t.dispose();
      delete process.env.PREFECT_LOCAL_STORAGE_PATH;
      rmSync(storage, { recursive: true, force: true });
    });

    it("a cache hit reaches the server as Cached, with the result's metadata a reader can load", async () => {
      const c = counter();
      const t1 = task(
        { name: "remote-keyed", cacheKeyFn: () => "remote-key" },
        async (x: number) => {
          c.hit(x);
          return x * 3;
        },
      );
      const f = flow({ name: "remote-cache" }, async (x: number) => ({
        value: await t1(x),
        id: getRunContext()?.flowRun?.id ?? "",
      }));
      const first = await f(2);
      const second = await f(5);
      assert.deepEqual([first.value, second.value], [6, 6]);
      assert.deepEqual(c.calls, [2]);
      const [run] = await client.readTaskRuns({ flowRunIds: [second.id] });
      assert.equal(run?.state_name, "Cached");
      assert.equal(run?.state_type, "COMPLETED");
      const states = await client.readTaskRunStates(run?.id ?? "");
      const cached = states.find((s) => s.name === "Cached");
      assert.equal(
        (cached?.data as { storage_key?: string } | undefined)?.storage_key,
        join(storage, "remote-key"),
      );
      assert.equal(await State.fromRecord(cached as NonNullable<typeof cached>).result(), 6);
    });
  });
}
