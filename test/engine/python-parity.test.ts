/**
 * What our runs write is what Prefect's Python engine writes for the same flows, as the real
 * client's captures show (`../shared/prefect-wire-transcripts`): the same log lines, at the same
 * levels, in the same runs (a task's retry at INFO, a flow's retry without an extra error line, a
 * flow's end at INFO whatever its state, `Beginning subflow run …` in the child); the `View at …`
 * link on the console only; a subflow's parent task run named, keyed and with the policy Prefect
 * gives it; a fractional flow retry delay sent as the whole seconds the contract takes, and waited
 * in full. Embedded and in client mode, on both databases.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import { isPrefectTsError } from "../../src/core/errors.ts";
import type { LogRecord } from "../../src/core/runs.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunContext, task } from "../../src/index.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface Captured {
  method?: string;
  url: string;
  req?: unknown;
}
interface WireLog {
  name: string;
  level: number;
  message: string;
  timestamp: string;
  flow_run_id: string | null;
  task_run_id: string | null;
}

const TRANSCRIPTS = join(import.meta.dirname, "../../../shared/prefect-wire-transcripts");

function transcript(name: string): Captured[] {
  return readFileSync(join(TRANSCRIPTS, `${name}.jsonl`), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Captured);
}

/** The request body of the first `method url` of a transcript. */
function pythonRequest(name: string, method: string, url: string): Record<string, unknown> {
  const found = transcript(name).find((r) => r.method === method && r.url === url);
  assert.ok(found?.req, `${name} holds ${method} ${url}`);
  return found.req as Record<string, unknown>;
}

/**
 * A run's log lines with what differs between any two runs taken out: run names, and an
 * exception's wording (Python's `repr`, our `Name: message` and stack).
 */
function comparable(logs: readonly WireLog[]): string[] {
  const runs: string[] = [];
  return [...logs]
    .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
    .map((log) => {
      const run = log.flow_run_id ?? "";
      if (!runs.includes(run)) runs.push(run);
      const message = log.message
        .replace(/ run '[^']+' for flow/, " run '<run>' for flow")
        .replace(/(Encountered exception during execution: )[\s\S]*/, "$1<exception>")
        .replace(/(failed with exception: )[\s\S]*?( - R)/, "$1<exception>$2")
        .replace(/(encountered an exception: )[^']*/, "$1<exception>");
      return `${log.name} ${log.level} flow#${runs.indexOf(run)}${log.task_run_id ? " task" : ""} ${message}`;
    });
}

/** Every log line a transcript's client sent, in the order they happened. */
function pythonLogs(name: string): string[] {
  const logs = transcript(name)
    .filter((r) => r.method === "POST" && r.url === "/api/logs/")
    .flatMap((r) => r.req as WireLog[]);
  return comparable(logs);
}

/** Every log line of these flow runs, as stored. */
async function ourLogs(client: PrefectClient, flowRunIds: string[]): Promise<string[]> {
  const logs: LogRecord[] = [];
  for (const id of flowRunIds) logs.push(...(await client.readLogs({ flowRunId: id })));
  return comparable(logs);
}

for (const dialect of DIALECTS) {
  for (const mode of ["embedded", "client"] as const) {
    describe(`${dialect}, ${mode}: runs write what Prefect's Python engine writes`, () => {
      let t: TestDatabase;
      let app: FastifyInstance | null = null;
      let api = "";
      let client: PrefectClient;
      const requests: { method: string; url: string; body: unknown }[] = [];

      before(async () => {
        t = await createTestDatabase(dialect);
        if (mode === "client") {
          app = await createCheckedApp({ database: t.database });
          app.addHook("preValidation", async (request) => {
            requests.push({ method: request.method, url: request.url, body: request.body });
          });
          api = `${await app.listen({ host: "127.0.0.1", port: 0 })}/api`;
          client = new HttpClient(api);
        } else {
          client = new EmbeddedClient(t.database, { ownsDatabase: false });
        }
        useClient(client, loadSettings({ PREFECT_UI_URL: "http://ui.test" }));
      });
      after(async () => {
        await shutdownRuntime();
        await app?.close();
        await t.dispose();
      });

      /** The bodies of the requests sent so far to `method url` (client mode). */
      const sent = (method: string, url: string) =>
        requests.filter((r) => r.method === method && r.url === url).map((r) => r.body);

      it("a task retry is INFO, its run's lines and levels are Python's; no View at line is stored", async () => {
        let attempts = 0;
        const flaky = task(
          { name: "flaky", retries: 2, retryDelaySeconds: 0 },
          async (n: number) => {
            attempts++;
            if (attempts === 1) throw new Error("first attempt fails");
            return n;
          },
        );
        const add = task({ name: "add" }, async (a: number, b: number) => a + b);
        let id = "";
        const basic = flow({ name: "probe-basic", logPrints: true }, async (x: number) => {
          id = getRunContext()?.flowRun?.id ?? "";
          const result = await add(await flaky(x), 5);
          console.log(`result ${result}`);
          return result;
        });
        assert.equal(await basic(4), 9);
        const ours = await ourLogs(client, [id]);
        assert.deepEqual(ours, pythonLogs("basic-flow-with-retrying-task"));
        assert.ok(
          ours.includes(
            "prefect.task_runs 20 flow#0 task Task run failed with exception: <exception> - Retry 1/2 will start immediately",
          ),
        );
      });

      it("a flow retry logs as Python does, and a fractional delay is sent as whole seconds and waited in full", async () => {
        let failedAt = 0;
        let gap = 0;
        let id = "";
        const retried = flow(
          { name: "probe-flow-retry", retries: 1, retryDelaySeconds: 0.1 },
          async () => {
            id = getRunContext()?.flowRun?.id ?? "";
            if (failedAt === 0) {
              failedAt = Date.now();
              throw new Error("flow fails first time");
            }
            gap = Date.now() - failedAt;
            return "done";
          },
        );
        assert.equal(await retried(), "done");
        assert.ok(gap >= 100, `the second attempt started ${gap} ms after the first failed`);
        assert.deepEqual(await ourLogs(client, [id]), pythonLogs("flow_retry"));
        const run = await client.readFlowRun(id);
        assert.equal(run.state_type, "COMPLETED");
        assert.equal(run.run_count, 2);
        assert.equal(run.empirical_policy.retries, 1);
        assert.equal(run.empirical_policy.retry_delay, 0);
        const states = await client.readFlowRunStates(id);
        assert.deepEqual(
          states.map((s) => s.name),
          ["Pending", "Running", "AwaitingRetry", "Running", "Completed"],
        );
        if (mode === "client") {
          const body = (
            sent("POST", "/api/flow_runs/") as { flow_id: string; empirical_policy: unknown }[]
          ).find((r) => r.flow_id === run.flow_id);
          assert.deepEqual(
            body?.empirical_policy,
            pythonRequest("flow_retry", "POST", "/api/flow_runs/").empirical_policy,
          );
          assert.deepEqual(body?.empirical_policy, { retries: 1, retry_delay: 0 });
        }
      });

      it("a failed flow ends with its Finished line at INFO, as Python's", async () => {
        let id = "";
        const failing = flow({ name: "probe-fail" }, async () => {
          id = getRunContext()?.flowRun?.id ?? "";
          throw new Error("boom");
        });
        await assert.rejects(failing(), /boom/);
        assert.deepEqual(await ourLogs(client, [id]), pythonLogs("fail"));
      });

      it("a subflow: parent task run named, keyed and policed as Prefect's, Beginning subflow run in the child", async () => {
        let childId = "";
        let parentId = "";
        const child = flow({ name: "probe-child", version: "v1" }, async (n: number) => {
          childId = getRunContext()?.flowRun?.id ?? "";
          return n;
        });
        const parent = flow({ name: "probe-parent" }, async () => {
          parentId = getRunContext()?.flowRun?.id ?? "";
          return child(1);
        });
        assert.equal(await parent(), 1);
        assert.deepEqual(await ourLogs(client, [parentId, childId]), pythonLogs("subflow"));

        const python = pythonRequest("subflow", "POST", "/api/task_runs/");
        const [taskRun] = await client.readTaskRuns({ flowRunIds: [parentId] });
        assert.ok(taskRun);
        assert.equal(taskRun.name, python.name);
        assert.equal(taskRun.name, "probe-child-0");
        assert.equal(taskRun.dynamic_key, python.dynamic_key);
        assert.equal(taskRun.task_version, "v1");
        assert.deepEqual(taskRun.empirical_policy, python.empirical_policy);
        assert.deepEqual(taskRun.task_inputs, python.task_inputs);
        assert.equal((await client.readFlowRun(childId)).parent_task_run_id, taskRun.id);
        if (mode === "client") {
          const body = (sent("POST", "/api/task_runs/") as Record<string, unknown>[]).find(
            (r) => r.flow_run_id === parentId,
          );
          assert.ok(body);
          assert.deepEqual(Object.keys(body).sort(), Object.keys(python).sort());
          const { state: _ours, flow_run_id: _f, task_key: _k, task_version: _v, ...rest } = body;
          const {
            state: _py,
            flow_run_id: _pf,
            task_key: _pk,
            task_version: _pv,
            ...expected
          } = python;
          assert.deepEqual(rest, expected);
          assert.equal(body.flow_run_id, parentId);
          assert.equal(body.task_version, "v1");
        }
      });

      it("a subflow's dynamic key counts the calls of that subflow within its parent run", async () => {
        let parentId = "";
        const a = flow({ name: "probe-a" }, async (n: number) => n);
        const b = flow({ name: "probe-b" }, async (n: number) => n);
        const parent = flow({ name: "probe-twice" }, async () => {
          parentId = getRunContext()?.flowRun?.id ?? "";
          return (await a(1)) + (await b(2)) + (await a(3));
        });
        assert.equal(await parent(), 6);
        const taskRuns = await client.readTaskRuns({
          flowRunIds: [parentId],
          sort: "EXPECTED_START_TIME_ASC",
        });
        assert.deepEqual(
          taskRuns.map((r) => [r.name, r.dynamic_key]),
          [
            ["probe-a-0", "0"],
            ["probe-b-0", "0"],
            ["probe-a-1", "1"],
          ],
        );
      });

      if (mode === "client") {
        it("a process running a flow with a fractional retry delay: completes, View at on its console only", async () => {
          const child = spawn(
            process.execPath,
            ["--import", "tsx", "test/fixtures/fractional-retry-flow.ts"],
            {
              env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_URL: api },
              stdio: ["ignore", "pipe", "pipe"],
            },
          );
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
          });
          child.stderr.on("data", (d: Buffer) => {
            stderr += d.toString();
          });
          const [code] = await once(child, "exit");
          assert.equal(code, 0, stderr);
          const [, id, gap] = /RUN (\S+) GAP (\d+)/.exec(stdout) ?? [];
          assert.ok(id, stdout);
          assert.ok(Number(gap) >= 100, `attempts ${gap} ms apart`);
          const link = `View at ${api.replace(/\/api$/, "")}/runs/flow-run/${id}`;
          assert.equal(stderr.split(link).length - 1, 2, `${link} once per attempt:\n${stderr}`);
          const run = await client.readFlowRun(id);
          assert.equal(run.state_type, "COMPLETED");
          assert.equal(run.run_count, 2);
          const logs = await client.readLogs({ flowRunId: id });
          assert.ok(logs.length > 0);
          assert.ok(logs.every((l) => !l.message.startsWith("View at")));
        });
      }
    });
  }
}

describe("flow and task options the API cannot take are refused where they are defined", () => {
  const refused = (define: () => unknown, pattern: RegExp) =>
    assert.throws(define, (error: unknown) => {
      assert.ok(isPrefectTsError(error));
      assert.equal(error.code, "ERR_VALIDATION");
      assert.match(error.message, pattern);
      return true;
    });

  it("a flow name Prefect refuses (/ % & > <)", () => {
    for (const name of ["a/b", "50%", "x&y", "a>b", "a<b", ""]) {
      refused(() => flow({ name }, async () => 1), /flow name/);
    }
    assert.equal(flow({ name: "etl: daily (v2)" }, async () => 1).name, "etl: daily (v2)");
  });

  it("retries that are not a whole number of 0 or more, and negative delays", () => {
    refused(() => flow({ name: "f", retries: 1.5 }, async () => 1), /retries must be a whole/);
    refused(() => task({ name: "t", retries: -1 }, async () => 1), /retries must be a whole/);
    refused(
      () => flow({ name: "f", retryDelaySeconds: -1 }, async () => 1),
      /retryDelaySeconds must be/,
    );
    refused(
      () => task({ name: "t", retryDelaySeconds: [1, Number.NaN] }, async () => 1),
      /retryDelaySeconds must be/,
    );
    refused(
      () => task({ name: "t", retryJitterFactor: -0.5 }, async () => 1),
      /retryJitterFactor must be/,
    );
    // fractions of a second are fine: the engine waits them
    flow({ name: "f", retries: 2, retryDelaySeconds: 0.25 }, async () => 1);
    task({ name: "t", retries: 2, retryDelaySeconds: [0.1, 0.5] }, async () => 1);
  });
});
