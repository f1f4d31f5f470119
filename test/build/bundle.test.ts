/**
 * The bundle (`lib/`, what `npm install` builds and what users run): the CLI through
 * `bin/prefect-ts.js`, its paths taken from `import.meta.url` inside the bundle's chunks — the
 * package's version, the web UI's files, the flow-run child's module — on both databases. The
 * rest of the suite runs the TypeScript sources; this runs what ships.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { FlowRun } from "../../src/core/runs.ts";
import { freePort } from "../faults/processes.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

const BIN = "bin/prefect-ts.js";
const run = promisify(execFile);

function stop(child: ChildProcess | null): Promise<unknown> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  return exited;
}

describe("the bundle", () => {
  before(() => {
    assert.ok(
      existsSync("lib/cli/main.js"),
      "no lib/: run `npm run build:server` (npm install does)",
    );
  });

  it("prefect-ts --version runs the bundled CLI and reads the package's version", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const { stdout } = await run(process.execPath, [BIN, "--version"]);
    assert.equal(stdout.trim(), version);
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: the bundled server and a served flow in plain Node`, () => {
    let db: TestDatabase;
    let server: ChildProcess | null = null;
    let serving: ChildProcess | null = null;
    let api = "";
    let env: Record<string, string> = {};

    before(async () => {
      db = await createTestDatabase(dialect);
      const port = await freePort();
      api = `http://127.0.0.1:${port}/api`;
      env = { PREFECT_HOME: db.home, PREFECT_API_DATABASE_CONNECTION_URL: db.url };
      server = spawn(process.execPath, [BIN, "server", "start", "--port", String(port)], {
        env: { ...process.env, ...env },
        stdio: "ignore",
      });
      await until("the bundled server to answer", async () => {
        const res = await fetch(`${api}/health`).catch(() => null);
        return res?.ok === true;
      });
    });
    after(async () => {
      await stop(serving);
      await stop(server);
      await db.dispose();
    });

    const call = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${api}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.ok, `${path}: ${res.status}`);
      return (await res.json()) as T;
    };

    it("serves the built web UI (ui/dist), found from the bundle's chunks", async () => {
      const page = await fetch(api.replace(/\/api$/, "/"));
      assert.equal(page.status, 200);
      assert.equal(await page.text(), readFileSync("ui/dist/index.html", "utf8"));
    });

    it("runs a served deployment's run in a flow-run child started from the bundle", async () => {
      serving = spawn(process.execPath, ["test/fixtures/bundle-serve.mjs"], {
        env: { ...process.env, ...env, PREFECT_API_URL: api },
        stdio: "ignore",
      });
      const deployment = await until("the served deployment", async () => {
        const res = await fetch(`${api}/deployments/name/bundle-flow/b`);
        return res.ok ? ((await res.json()) as { id: string }) : null;
      });
      const created = await call<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, {});
      const ended = await until(
        "the run to end",
        async () => {
          const flowRun = await call<FlowRun>(`/flow_runs/${created.id}`);
          return ["COMPLETED", "FAILED", "CRASHED"].includes(flowRun.state_type ?? "")
            ? flowRun
            : null;
        },
        30_000,
      );
      assert.equal(ended.state_type, "COMPLETED", JSON.stringify(ended.state));
    });
  });
}
