import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { WebSocketServer } from "ws";
import { EventsSocket, framesToTexts, textFrames } from "../../src/client/events-socket.ts";
import { HttpClient } from "../../src/client/http-client.ts";
import { uuid7 } from "../../src/core/ids.ts";
import { taskRunEventText } from "../../src/core/task-run-events.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunContext, task } from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { headerStrippingProxy } from "../helpers/header-stripping-proxy.ts";
import { stateRecord, taskRunRecord } from "../helpers/records.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: task-run events over the /events/in WebSocket`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let api: string;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      api = `${await app.listen({ host: "127.0.0.1", port: 0 })}/api`;
    });
    after(async () => {
      await shutdownRuntime();
      await app.close();
      await t.dispose();
    });

    it("a client-mode script exits by itself once the server has every task run", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/fixtures/client-mode-flow.ts"],
        {
          env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_URL: api },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        out += d.toString();
      });
      // a socket keeping the process alive would hang here until the test's timeout
      const [code] = await once(child, "exit");
      assert.equal(code, 0, out);
      const runId = /RUN (\S+)/.exec(out)?.[1];
      assert.ok(runId, out);
      await app.flushEvents();
      const client = new HttpClient(api);
      assert.equal(
        await client.countTaskRuns({ flowRunIds: [runId], stateTypes: ["COMPLETED"] }),
        200,
      );
    });

    it("events of a dropped connection are sent again on a new one", async () => {
      const client = new HttpClient(api);
      useClient(client);
      const double = task({ name: "double" }, async (x: number) => x * 2);
      const f = flow({ name: "ws-drop" }, async (n: number) => {
        await double.map(Array.from({ length: n }, (_, i) => i));
        return getRunContext()?.flowRun?.id ?? "";
      });
      const first = (await f(50)) as string;
      // the server drops every events connection, confirmed or not
      for (const socket of app.websocketServer.clients) socket.terminate();
      const second = (await f(50)) as string;
      await client.confirmEvents();
      await app.flushEvents();
      for (const id of [first, second]) {
        assert.equal(
          await client.countTaskRuns({ flowRunIds: [id], stateTypes: ["COMPLETED"] }),
          50,
        );
      }
      await shutdownRuntime();
    });

    it("behind a proxy that drops the `prefect` subprotocol, every task run and log arrives by POST /events, and the user is told", async () => {
      const port = Number(new URL(api).port);
      const proxy = await headerStrippingProxy(port);
      try {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "test/fixtures/client-mode-flow.ts"],
          {
            env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_URL: `${proxy.url}/api` },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        const [code] = await once(child, "exit");
        assert.equal(code, 0, out + err);
        assert.ok(proxy.upgrades.stripped >= 1, "the proxy stripped an upgrade answer");
        assert.match(
          err,
          /events go by POST .*\/events instead of the WebSocket .*`prefect` subprotocol/,
        );
        const runId = /RUN (\S+)/.exec(out)?.[1];
        assert.ok(runId, out);
        const client = new HttpClient(api);
        assert.equal(
          await client.countTaskRuns({ flowRunIds: [runId], stateTypes: ["COMPLETED"] }),
          200,
        );
        // each task run's "Finished in state" line, sent with the others
        let taskLogs = 0;
        for (let offset = 0; ; offset += 200) {
          const page = await client.readLogs({ flowRunId: runId, limit: 200, offset });
          taskLogs += page.filter((l) => l.task_run_id !== null).length;
          if (page.length < 200) break;
        }
        assert.equal(taskLogs, 200);
      } finally {
        await proxy.close();
      }
    });

    it("events a connection never confirmed go by POST /events once the socket is no longer offered", async () => {
      const proxy = await headerStrippingProxy(Number(new URL(api).port));
      proxy.stripping = false;
      const client = new HttpClient(`${proxy.url}/api`);
      try {
        const flow = await client.createFlow({ name: "ws-unoffered" });
        const flowRun = await client.createFlowRun({ flow_id: flow.id });
        await client.recordTaskRunTransitions([
          {
            run: taskRunRecord(flowRun.id, { name: "first", dynamic_key: "1" }),
            state: stateRecord("COMPLETED", "Completed"),
          },
        ]);
        await client.confirmEvents();
        // the next frames never reach the server, and the socket comes back without `prefect`
        proxy.blackhole = true;
        await client.recordTaskRunTransitions(
          Array.from({ length: 20 }, (_, i) => ({
            run: taskRunRecord(flowRun.id, { name: `lost-${i}`, dynamic_key: String(i + 2) }),
            state: stateRecord("COMPLETED", "Completed"),
          })),
        );
        proxy.stripping = true;
        proxy.blackhole = false;
        proxy.cutAll();
        await client.confirmEvents();
        const direct = new HttpClient(api);
        assert.equal(
          await direct.countTaskRuns({ flowRunIds: [flowRun.id], stateTypes: ["COMPLETED"] }),
          21,
        );
      } finally {
        await client.close();
        await proxy.close();
      }
    });

    it("an event the server cannot store is refused alone, and its sender is told", async () => {
      const client = new HttpClient(api);
      const flow = await client.createFlow({ name: "ws-refused" });
      const flowRun = await client.createFlowRun({ flow_id: flow.id });
      const good = taskRunRecord(flowRun.id, { name: "good", dynamic_key: "1" });
      const bad = taskRunRecord(flowRun.id, { name: "bad\u0000name", dynamic_key: "2" });
      const socket = new EventsSocket(api, {
        headers: { "user-agent": "prefect-ts (test)" },
        token: null,
      });
      const completed = stateRecord("COMPLETED", "Completed");
      await socket.send([
        taskRunEventText(bad, completed, null),
        taskRunEventText(good, { ...completed, id: uuid7() }, null),
      ]);
      // the refusal notice is written before the pong that confirms the frames
      await socket.confirm();
      assert.equal(socket.refused, 1);
      assert.equal(
        await client.countTaskRuns({ flowRunIds: [flowRun.id], stateTypes: ["COMPLETED"] }),
        1,
      );
      await socket.close();
      await client.close();
    });
  });
}

describe("a server without the /events/in WebSocket", () => {
  it("gets the task-run events by POST /api/events", async () => {
    const posted: unknown[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        if (req.method === "POST" && req.url === "/api/events") {
          posted.push(...(JSON.parse(body) as unknown[]));
          res.writeHead(204).end();
        } else
          res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}');
      });
    });
    // a plain HTTP server answers the upgrade request like any other: 404
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const client = new HttpClient(`http://127.0.0.1:${port}/api`);
    try {
      const run = taskRunRecord(uuid7(), { name: "t-1", task_key: "t", dynamic_key: "1" });
      const state = stateRecord("PENDING", "Pending");
      await client.recordTaskRunTransitions([{ run, state }]);
      await client.recordTaskRunTransitions([{ run, state: { ...state, id: uuid7() } }]);
      assert.equal(posted.length, 2);
      assert.equal((posted[0] as { event: string }).event, "prefect.task-run.Pending");
    } finally {
      await client.close();
      server.close();
    }
  });
});

describe("the events socket's frames", () => {
  it("read back to the texts they carry (what goes another way when unconfirmed)", () => {
    const texts = ["", "a", "é".repeat(100), "x".repeat(70_000), "🦆".repeat(40), "{}"];
    assert.deepEqual(framesToTexts(textFrames(texts)), texts);
  });

  it("carry every text exactly, short, long and over 64 KiB, multibyte included, in order", async () => {
    // a bare WebSocket server doing Prefect's handshake, keeping every later message
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    const received: string[] = [];
    const got = new Promise<void>((resolve) => {
      server.on("connection", (ws) => {
        ws.on("message", (data: Buffer) => {
          const text = data.toString("utf8");
          if (text.startsWith('{"type":"auth"')) ws.send('{"type":"auth_success"}');
          else received.push(text);
          if (received.length === texts.length) resolve();
        });
      });
    });
    const texts = ["a", "é".repeat(100), `{"x":"${"y".repeat(200)}"}`, "🦆".repeat(20_000), "end"];
    const { port } = server.address() as AddressInfo;
    const socket = new EventsSocket(`http://127.0.0.1:${port}/api`, { headers: {}, token: null });
    try {
      await socket.send(texts.slice(0, 2));
      await socket.send(texts.slice(2));
      await got;
      assert.deepEqual(received, texts);
      // every one confirmed by the server's pongs
      await socket.confirm();
    } finally {
      await socket.close();
      server.close();
    }
  });
});
