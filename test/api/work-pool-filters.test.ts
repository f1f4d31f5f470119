/**
 * Prefect's `work_pools` and `work_pool_queues` (history and dashboard: `work_queues`) criteria of
 * the flow-run, task-run, deployment and flow listings, through a real server on an ephemeral port
 * on both databases: a run or a deployment is in a pool and a queue through its `work_queue_id`;
 * pools match by id, name and type, queues by id, name and case-insensitive name prefix; a present
 * filter — even `{}` — requires a queue; a flow matches through one deployment that satisfies its
 * deployment and pool criteria together; bad criteria are a 422.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

for (const dialect of DIALECTS) {
  describe(`work pool and work queue filters (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;

    async function call(method: string, path: string, body?: unknown) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body);
      assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };

    /** What the fixtures made, by name. */
    const pool: Record<string, Json> = {};
    const queue: Record<string, Json> = {};
    const flow: Record<string, string> = {};
    const deployment: Record<string, string> = {};
    const run: Record<string, string> = {};
    const names = (rows: Json[]) => rows.map((r) => r.name).sort();
    const runNames = async (criteria: Record<string, unknown>) =>
      names(await ok("POST", "/flow_runs/filter", criteria));

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({
        PREFECT_HOME: tdb.home,
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
      });
      app = await createCheckedApp({ database: tdb.database, settings });
      base = await app.listen({ port: 0, host: "127.0.0.1" });

      // alpha (process): queues default and Alpha-High; beta (kubernetes): default
      pool.alpha = await ok("POST", "/work_pools/", { name: "alpha", type: "process" });
      pool.beta = await ok("POST", "/work_pools/", { name: "beta", type: "kubernetes" });
      queue.alphaHigh = await ok("POST", "/work_pools/alpha/queues", {
        name: "Alpha-High",
        priority: 1,
      });
      queue.alphaDefault = await ok("GET", "/work_pools/alpha/queues/default");
      queue.betaDefault = await ok("GET", "/work_pools/beta/queues/default");

      // flows: f-alpha (alpha/default), f-high (alpha/Alpha-High), f-both (alpha "x", beta "y"),
      // f-none (a deployment in no pool), f-adhoc (no deployment)
      for (const name of ["f-alpha", "f-high", "f-both", "f-none", "f-adhoc"]) {
        flow[name] = (await ok("POST", "/flows/", { name })).id;
      }
      const deploy = async (
        name: string,
        flowName: string,
        target: Record<string, unknown> = {},
      ) => {
        const d = await ok("POST", "/deployments/", {
          name,
          flow_id: flow[flowName],
          parameter_openapi_schema: { type: "object", properties: {} },
          ...target,
        });
        deployment[name] = d.id;
        const r = await ok("POST", `/deployments/${d.id}/create_flow_run`, { name: `run-${name}` });
        run[name] = r.id;
      };
      await deploy("d-alpha", "f-alpha", { work_pool_name: "alpha" });
      await deploy("d-high", "f-high", { work_pool_name: "alpha", work_queue_name: "Alpha-High" });
      await deploy("x", "f-both", { work_pool_name: "alpha" });
      await deploy("y", "f-both", { work_pool_name: "beta" });
      await deploy("d-none", "f-none");
      run.adhoc = (
        await ok("POST", "/flow_runs/", { flow_id: flow["f-adhoc"], name: "run-adhoc" })
      ).id;

      // a finished task run in run-d-alpha and one in run-y (for the dashboard's counts)
      for (const [key, runName] of [
        ["t-alpha", "d-alpha"],
        ["t-beta", "y"],
      ] as const) {
        const t = await ok("POST", "/task_runs/", {
          flow_run_id: run[runName],
          task_key: key,
          dynamic_key: "0",
          state: { type: "PENDING" },
        });
        for (const type of ["RUNNING", "COMPLETED"]) {
          await ok("POST", `/task_runs/${t.id}/set_state`, { state: { type }, force: true });
        }
      }
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("links the fixtures' runs to their deployments' queues", async () => {
      const r = await ok("GET", `/flow_runs/${run["d-high"]}`);
      assert.equal(r.work_queue_id, queue.alphaHigh.id);
      assert.equal((await ok("GET", `/flow_runs/${run["d-none"]}`)).work_queue_id, null);
    });

    it("selects flow runs by work pool id, name and type", async () => {
      const alpha = ["run-d-alpha", "run-d-high", "run-x"];
      assert.deepEqual(await runNames({ work_pools: { name: { any_: ["alpha"] } } }), alpha);
      assert.deepEqual(await runNames({ work_pools: { id: { any_: [pool.alpha.id] } } }), alpha);
      assert.deepEqual(await runNames({ work_pools: { type: { any_: ["kubernetes"] } } }), [
        "run-y",
      ]);
      // criteria combine with and_ unless the operator says or_
      assert.deepEqual(
        await runNames({
          work_pools: { name: { any_: ["alpha"] }, type: { any_: ["kubernetes"] } },
        }),
        [],
      );
      assert.deepEqual(
        await runNames({
          work_pools: {
            operator: "or_",
            name: { any_: ["alpha"] },
            type: { any_: ["kubernetes"] },
          },
        }),
        [...alpha, "run-y"],
      );
      assert.deepEqual(await runNames({ work_pools: { name: { any_: [] } } }), []);
      assert.deepEqual(await runNames({ work_pools: { name: { any_: ["nowhere"] } } }), []);
    });

    it("keeps only runs in a pool for an empty filter, and sets nothing for null criteria", async () => {
      const inAPool = ["run-d-alpha", "run-d-high", "run-x", "run-y"];
      assert.deepEqual(await runNames({ work_pools: {} }), inAPool);
      assert.deepEqual(await runNames({ work_pool_queues: {} }), inAPool);
      assert.deepEqual(await runNames({ work_pools: { name: { any_: null } } }), inAPool);
      const all = await runNames({ work_pools: null, work_pool_queues: null });
      assert.deepEqual(all, [...inAPool, "run-adhoc", "run-d-none"].sort());
    });

    it("selects flow runs by work queue id, name and name prefix", async () => {
      const q = (criteria: Record<string, unknown>) => runNames({ work_pool_queues: criteria });
      assert.deepEqual(await q({ name: { any_: ["Alpha-High"] } }), ["run-d-high"]);
      assert.deepEqual(await q({ id: { any_: [queue.betaDefault.id] } }), ["run-y"]);
      assert.deepEqual(await q({ name: { any_: ["default"] } }), ["run-d-alpha", "run-x", "run-y"]);
      // case-insensitive prefixes, any of them
      assert.deepEqual(await q({ name: { startswith_: ["alpha"] } }), ["run-d-high"]);
      assert.deepEqual(await q({ name: { startswith_: ["ALP", "def"] } }), [
        "run-d-alpha",
        "run-d-high",
        "run-x",
        "run-y",
      ]);
      assert.deepEqual(await q({ name: { startswith_: ["lpha"] } }), []);
      // pool and queue together: the default queue of alpha
      assert.deepEqual(
        await runNames({
          work_pools: { name: { any_: ["alpha"] } },
          work_pool_queues: { name: { any_: ["default"] } },
        }),
        ["run-d-alpha", "run-x"],
      );
    });

    it("counts, pages and charts flow runs with the same criteria", async () => {
      const alpha = { work_pools: { name: { any_: ["alpha"] } } };
      assert.equal(await ok("POST", "/flow_runs/count", alpha), 3);
      assert.equal(
        await ok("POST", "/flow_runs/count", {
          work_pool_queues: { name: { any_: ["Alpha-High"] } },
        }),
        1,
      );
      const page = await ok("POST", "/flow_runs/paginate", { ...alpha, limit: 2 });
      assert.equal(page.count, 3);
      assert.equal(page.pages, 2);
      const points = await ok("POST", "/ui/flow_runs/history", {
        work_pools: { type: { any_: ["kubernetes"] } },
      });
      assert.deepEqual(
        points.map((p: Json) => p.id),
        [run.y],
      );
      const now = Date.now();
      const window = {
        history_start: new Date(now - 3600_000).toISOString(),
        history_end: new Date(now + 3600_000).toISOString(),
        history_interval_seconds: 7200,
      };
      const total = async (criteria: Record<string, unknown>) => {
        const history = await ok("POST", "/flow_runs/history", { ...window, ...criteria });
        return history
          .flatMap((h: Json) => h.states)
          .reduce((n: number, s: Json) => n + s.count_runs, 0);
      };
      assert.equal(await total({}), 6);
      assert.equal(await total({ work_queues: { name: { any_: ["Alpha-High"] } } }), 1);
      assert.equal(await total({ work_pools: { name: { any_: ["beta"] } } }), 1);
    });

    it("counts the dashboard's task runs by their flow runs' pool and queue", async () => {
      const now = Date.now();
      const body = {
        task_runs: {
          start_time: {
            after_: new Date(now - 10 * 60_000).toISOString(),
            before_: new Date(now + 60_000).toISOString(),
          },
        },
      };
      const completed = async (criteria: Record<string, unknown>) => {
        const buckets = await ok("POST", "/ui/task_runs/dashboard/counts", {
          ...body,
          ...criteria,
        });
        return buckets.reduce((n: number, b: Json) => n + b.completed, 0);
      };
      assert.equal(await completed({}), 2);
      assert.equal(await completed({ work_pools: { name: { any_: ["alpha"] } } }), 1);
      assert.equal(await completed({ work_queues: { id: { any_: [queue.betaDefault.id] } } }), 1);
      assert.equal(await completed({ work_queues: { name: { any_: ["Alpha-High"] } } }), 0);
    });

    it("selects deployments by their queue's pool and name", async () => {
      const deployments = async (criteria: Record<string, unknown>) =>
        names(await ok("POST", "/deployments/filter", criteria));
      assert.deepEqual(await deployments({ work_pools: { name: { any_: ["alpha"] } } }), [
        "d-alpha",
        "d-high",
        "x",
      ]);
      assert.deepEqual(await deployments({ work_pools: { type: { any_: ["kubernetes"] } } }), [
        "y",
      ]);
      assert.deepEqual(
        await deployments({ work_pool_queues: { name: { startswith_: ["alpha-"] } } }),
        ["d-high"],
      );
      assert.deepEqual(
        await deployments({
          work_pools: { id: { any_: [pool.alpha.id] } },
          work_pool_queues: { id: { any_: [queue.alphaDefault.id] } },
        }),
        ["d-alpha", "x"],
      );
      assert.deepEqual(await deployments({ work_pools: {} }), ["d-alpha", "d-high", "x", "y"]);
      assert.equal(
        await ok("POST", "/deployments/count", { work_pools: { name: { any_: ["beta"] } } }),
        1,
      );
      const page = await ok("POST", "/deployments/paginate", {
        work_pool_queues: { name: { any_: ["default"] } },
      });
      assert.equal(page.count, 3);
    });

    it("selects flows through one deployment holding both its deployment and pool criteria", async () => {
      const flows = async (criteria: Record<string, unknown>) =>
        names(await ok("POST", "/flows/filter", criteria));
      assert.deepEqual(await flows({ work_pools: { name: { any_: ["alpha"] } } }), [
        "f-alpha",
        "f-both",
        "f-high",
      ]);
      assert.deepEqual(await flows({ work_pools: { type: { any_: ["kubernetes"] } } }), ["f-both"]);
      assert.deepEqual(await flows({ work_pools: {} }), ["f-alpha", "f-both", "f-high"]);
      // f-both's "y" is in beta, its "x" in alpha: no one deployment is both
      assert.deepEqual(
        await flows({
          deployments: { name: { any_: ["y"] } },
          work_pools: { name: { any_: ["alpha"] } },
        }),
        [],
      );
      assert.deepEqual(
        await flows({
          deployments: { name: { any_: ["x"] } },
          work_pools: { name: { any_: ["alpha"] } },
        }),
        ["f-both"],
      );
      assert.equal(
        await ok("POST", "/flows/count", { work_pools: { name: { any_: ["beta"] } } }),
        1,
      );
    });

    it("refuses criteria Prefect's filters do not have, or of the wrong type", async () => {
      for (const [path, body] of [
        ["/flow_runs/filter", { work_pools: { name: { any_: "alpha" } } }],
        ["/flow_runs/count", { work_pool_queues: { name: { like_: "alpha" } } }],
        ["/deployments/filter", { work_pools: { id: { any_: ["not-a-uuid"] } } }],
        ["/flows/filter", { work_pools: { colour: { any_: ["blue"] } } }],
      ] as const) {
        const res = await call("POST", path, body);
        assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}`);
        assert.equal(res.body.exception_message, "Invalid request received.");
      }
    });
  });
}
