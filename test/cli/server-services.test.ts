/**
 * `prefect-ts server services ls | start` and `server start --no-services`: an API server without
 * loop services and a services process, each a real `prefect-ts` process on one database. The
 * services process — not the API server — makes a deployment's scheduled runs and crashes a
 * Running run whose process is gone; the API server alone makes none.
 */
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createServerCore, createServicesCore } from "../../src/services/composition.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { runCli } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** A `prefect-ts` process left running: its output so far, and a way to wait for a line. */
interface Running {
  child: Child;
  lines: string[];
  stderr(): string;
  /** The first line matching `pattern` (waits for it; fails if the process exits first). */
  line(pattern: RegExp): Promise<string>;
  /** SIGTERM, then its exit code once its output is read. */
  stop(): Promise<number | null>;
}

/** Start `prefect-ts ARGS` with only the given PREFECT_* settings (the parent's are dropped). */
function start(args: readonly string[], env: Record<string, string>): Running {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PREFECT_")) base[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const closed = once(child, "close");
  const lines: string[] = [];
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const waiting = new Set<() => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiting) wake();
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => pattern.test(l));
          if (found !== undefined) {
            waiting.delete(check);
            resolve(found);
          }
        };
        waiting.add(check);
        check();
        void closed.then(() => {
          if (waiting.delete(check)) {
            reject(
              new Error(`exited without printing ${pattern}:\n${lines.join("\n")}\n${stderr}`),
            );
          }
        });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const [code] = await closed;
      return code as number | null;
    },
  };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  assert.ok(child.pid);
  return child.pid;
}

describe("prefect-ts server services ls", () => {
  it("lists every service, enabled or not by its setting (Prefect's or the older name), and where it runs", async () => {
    const result = await runCli(["server", "services", "ls"], {
      PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED: "false",
      PREFECT_API_SERVICES_CANCELLATION_CLEANUP_ENABLED: "0",
    });
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.split("\n");
    assert.match(rows[0] ?? "", /Available Services/);
    const row = (name: string) => rows.find((r) => r.startsWith(`│ ${name} `)) ?? "";
    assert.match(row("Scheduler"), /│ ✓ PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED +│ services +│/);
    assert.match(row("RecentDeploymentsScheduler"), /✓ PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED/);
    assert.match(row("MarkLateRuns"), /│ x PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED +│ services/);
    assert.match(
      row("CancellationCleanup"),
      /│ x PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED/,
    );
    assert.match(row("ZombieFlowRuns"), /✓ PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED/);
    assert.match(row("EventPersister"), /✓ PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED/);
    assert.match(row("Repossessor"), /│ ✓ always +│ each API server │/);
    assert.match(row("TaskRunRecorder"), /│ ✓ always +│ each API server │/);
    assert.match(row("AssetRecorder"), /│ ✓ always +│ each API server │/);
  });

  it("--output json: one object per service with its setting and loop", async () => {
    const result = await runCli(["server", "services", "ls", "--output", "json"], {
      PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: "false",
      PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS: "2",
    });
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      list.map((s) => [s.name, s.enabled, s.runs_in]),
      [
        ["Scheduler", false, "services"],
        ["RecentDeploymentsScheduler", false, "services"],
        ["MarkLateRuns", true, "services"],
        ["CancellationCleanup", true, "services"],
        ["ZombieFlowRuns", true, "services"],
        ["EventPersister", true, "services"],
        ["Repossessor", true, "api"],
        ["TaskRunRecorder", true, "api"],
        ["AssetRecorder", true, "api"],
      ],
    );
    const zombies = list.find((s) => s.name === "ZombieFlowRuns");
    assert.equal(zombies?.loop_seconds, 2);
    assert.equal(zombies?.setting, "PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED");
    assert.equal(list.find((s) => s.name === "TaskRunRecorder")?.loop_seconds, null);
  });

  it("refuses an output format other than json", async () => {
    const result = await runCli(["server", "services", "ls", "-o", "yaml"], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Only 'json' output format is supported/);
  });
});

describe("which services each process builds", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("sqlite");
  });
  after(async () => {
    await t.dispose();
  });

  it("an API server runs all; --no-services only its own; a services process the loops alone", async () => {
    const settings = loadSettings({ PREFECT_HOME: t.home });
    const names = (core: { services: readonly { name: string }[] }) =>
      core.services.map((s) => s.name);
    const retention = { retentionSeconds: 3600 };
    const cores = {
      all: createServerCore({ database: t.database, settings, eventRetention: retention }),
      api: createServerCore({ database: t.database, settings, webserverOnly: true }),
      services: createServicesCore({ database: t.database, settings, eventRetention: retention }),
      some: createServicesCore({
        database: t.database,
        settings: loadSettings({
          PREFECT_HOME: t.home,
          PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: "false",
          PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED: "false",
        }),
        eventRetention: retention,
      }),
    };
    try {
      const loops = [
        "Scheduler",
        "RecentDeploymentsScheduler",
        "MarkLateRuns",
        "CancellationCleanup",
        "ZombieFlowRuns",
        "EventPersister",
      ];
      assert.deepEqual(names(cores.all), [...loops, "Repossessor"]);
      assert.deepEqual(names(cores.api), ["Repossessor"]);
      assert.deepEqual(names(cores.services), loops);
      assert.deepEqual(names(cores.some), [
        "MarkLateRuns",
        "CancellationCleanup",
        "ZombieFlowRuns",
      ]);
    } finally {
      await Promise.all(Object.values(cores).map((core) => core.close()));
    }
  });

  it("server services start with every service off: an error naming the settings, exit 1", async () => {
    const result = await runCli(["server", "services", "start"], {
      PREFECT_HOME: t.home,
      PREFECT_API_DATABASE_CONNECTION_URL: t.url,
      PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: "false",
      PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED: "false",
      PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED: "false",
      PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: "false",
      PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED: "false",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No services are enabled/);
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: server start --no-services beside server services start`, () => {
    let t: TestDatabase;
    const processes: Running[] = [];
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await t.dispose();
    });

    it("the services process, not the API server, makes a deployment's runs and crashes a zombie run", async () => {
      // every loop a few times a second: the API server has had many chances by the time it is checked
      const env = {
        PREFECT_HOME: t.home,
        PREFECT_API_DATABASE_CONNECTION_URL: t.url,
        PREFECT_UI_ENABLED: "false",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: "0.25",
        PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: "0.25",
        PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS: "0.25",
      };
      const apiServer = start(["server", "start", "--no-services", "--port", "0"], env);
      processes.push(apiServer);
      const api = (await apiServer.line(/^API:/)).replace(/^API:\s+/, "");
      assert.ok(
        apiServer.lines.some((l) => l.includes("--no-services")),
        apiServer.lines.join("\n"),
      );
      const call = async <T = Record<string, unknown>>(path: string, body?: unknown) => {
        const response = await fetch(api + path, {
          method: body === undefined ? "GET" : "POST",
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        assert.ok(
          response.status < 300,
          `${path} → ${response.status} ${await response.clone().text()}`,
        );
        return (await response.json()) as T;
      };
      const flow = await call("/flows/", { name: "split-services" });
      const deployment = await call("/deployments/", {
        name: "hourly",
        flow_id: flow.id,
        schedules: [{ schedule: { interval: 3600 }, active: true }],
      });
      const zombie = await call("/flow_runs/", {
        flow_id: flow.id,
        state: { type: "RUNNING", name: "Running" },
      });
      const patched = await fetch(`${api}/flow_runs/${zombie.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ infrastructure_pid: `${hostname()}:${await deadPid()}` }),
      });
      assert.equal(patched.status, 204);
      const scheduledRuns = async () =>
        (
          await call<{ id: string; state_type: string }[]>("/flow_runs/filter", {
            deployments: { id: { any_: [deployment.id] } },
          })
        ).filter((r) => r.state_type === "SCHEDULED");
      const zombieState = async () =>
        (await call<{ state: { type: string; message: string } }>(`/flow_runs/${zombie.id}`)).state;

      // the API server alone: nothing is scheduled, nothing crashed — nothing announces the absence
      // of work, so this waits for several loops' worth of time
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual(await scheduledRuns(), []);
      assert.equal((await zombieState()).type, "RUNNING");

      const services = start(["server", "services", "start"], env);
      processes.push(services);
      await services.line(/^Press CTRL\+C to stop/);
      for (const name of ["Scheduler", "RecentDeploymentsScheduler", "ZombieFlowRuns"]) {
        assert.ok(
          services.lines.includes(`Started ${name} (every 0.25 s)`),
          services.lines.join("\n"),
        );
      }
      assert.ok(
        !services.lines.some((l) => /^Started (Repossessor|TaskRunRecorder|AssetRecorder)/.test(l)),
      );

      // at least 3 runs, at least an hour ahead: 3 hourly runs
      const runs = await until("the scheduled runs", async () => {
        const found = await scheduledRuns();
        return found.length >= 3 ? found : null;
      });
      assert.equal(runs.length, 3);
      const crashed = await until("the zombie run crashed", async () => {
        const s = await zombieState();
        return s.type === "CRASHED" ? s : null;
      });
      assert.match(crashed.message, /is gone/);
      // the Crashed event the services process emitted is in the store the API server reads
      await until("the Crashed event", async () => {
        const page = await call<{ events: { event: string }[] }>("/events/filter", {
          filter: {
            occurred: { since: "2000-01-01T00:00:00Z" },
            resource: { id: [`prefect.flow-run.${zombie.id}`] },
          },
        });
        return page.events.some((e) => e.event === "prefect.flow-run.Crashed");
      });

      assert.equal(await services.stop(), 0, services.stderr());
      assert.equal(services.lines.at(-1), "All services stopped.");
      assert.equal(await apiServer.stop(), 0, apiServer.stderr());
    });
  });
}
