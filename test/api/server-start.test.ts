import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: prefect-ts server start`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });

    it("serves the API on an ephemeral port, shows runs recorded before it started, stops on SIGTERM", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "server", "start", "--port", "0"],
        {
          env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const exited = once(child, "exit");
      let api = "";
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^API:\s+(\S+)/.exec(line);
        if (m?.[1]) {
          api = m[1];
          break;
        }
      }
      assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
      const health = await fetch(`${api}/health`);
      assert.equal(await health.json(), true);
      const flow = await fetch(`${api}/flows/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "served" }),
      });
      assert.equal(flow.status, 201);
      child.kill("SIGTERM");
      const [code] = await exited;
      assert.equal(code, 0);
      const rows = await t.database.db
        .selectFrom("flow")
        .select("name")
        .where("name", "=", "served")
        .execute();
      assert.equal(rows.length, 1);
    });
  });
}

describe("prefect-ts server start: settings, a taken port, SIGINT", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("sqlite");
  });
  after(async () => {
    await t.dispose();
  });
  const start = (env: Record<string, string>) =>
    spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "server", "start"], {
      env: {
        ...process.env,
        PREFECT_HOME: t.home,
        PREFECT_API_DATABASE_CONNECTION_URL: t.url,
        PREFECT_UI_ENABLED: "false",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const freePort = async () => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, "close");
    return port;
  };

  it("listens where PREFECT_SERVER_API_HOST and PREFECT_SERVER_API_PORT say, and stops on SIGINT", async () => {
    const port = await freePort();
    const child = start({
      PREFECT_SERVER_API_HOST: "127.0.0.1",
      PREFECT_SERVER_API_PORT: String(port),
    });
    // "close": after the output has been read too
    const exited = once(child, "close");
    const lines: string[] = [];
    const listening = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        lines.push(line);
        if (line.startsWith("API:")) resolve();
      });
    });
    await Promise.race([listening, exited]);
    assert.ok(lines.includes(`API:  http://127.0.0.1:${port}/api`), lines.join("\n"));
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/api/health`)).json(), true);
    child.kill("SIGINT");
    const [code] = await exited;
    assert.equal(code, 0);
    assert.equal(lines.at(-1), "Shutting down...");
  });

  it("says what to do when the port is taken", async () => {
    const taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = start({ PREFECT_SERVER_API_PORT: String(port) });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      const [code] = await once(child, "exit");
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`Port ${port} is already in use: .*--port`));
    } finally {
      taken.close();
      await once(taken, "close");
    }
  });
});
