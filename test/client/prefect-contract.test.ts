/**
 * What the SDK sends in client mode is what a real Prefect 3 server takes: every HTTP request of a
 * run (flow with retries, tasks that fail and retry, a subflow, logs) names a path and method of
 * Prefect's own OpenAPI document (`../shared/prefect-openapi.json`) with a body valid for its
 * request schema, and every frame on `/api/events/in` is a valid Prefect `Event` after the auth
 * frame. (A real Prefect server cannot run here; its contract can be held to.)
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { HttpClient } from "../../src/client/http-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunLogger, task } from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

const DOCUMENT = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../shared/prefect-openapi.json"), "utf8"),
) as OpenApi;

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(DOCUMENT, "prefect");

/** Prefect's operation for a request, with the path template it matched. */
function operationOf(method: string, url: string): { template: string; operation: Operation } {
  const path = (url.split("?")[0] ?? "").replace(/^\/api/, "");
  for (const [template, operations] of Object.entries(DOCUMENT.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    const operation = operations[method.toLowerCase()];
    if (operation && pattern.test(path)) return { template, operation };
  }
  throw new Error(`${method} ${path} is not in Prefect's OpenAPI document`);
}

/** Errors of `value` against Prefect's schema for the request body of `operation`. */
function requestBodyErrors(template: string, method: string, body: unknown): string[] {
  const pointer = `#/paths/${template.replaceAll("~", "~0").replaceAll("/", "~1")}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(`prefect${pointer}`);
  if (!validate) return body === undefined ? [] : ["a body where Prefect's operation takes none"];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/**
 * Where the document is stricter than the server: deviations from it in requests the real
 * Python client made and the real server accepted (`prefect-wire-transcripts`), e.g. a
 * `FlowRunCreate` with `"name": null`.
 */
function acceptedDeviations(): Set<string> {
  const dir = join(import.meta.dirname, "../../../shared/prefect-wire-transcripts");
  const out = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as {
        method?: string;
        url: string;
        req?: unknown;
        status?: number;
      };
      if (!r.method || (r.status ?? 500) >= 400 || r.req === undefined) continue;
      const { template } = operationOf(r.method, r.url);
      for (const e of requestBodyErrors(template, r.method, r.req)) {
        out.add(`${r.method} ${template}: ${e}`);
      }
    }
  }
  return out;
}

describe("the SDK's traffic against Prefect's own contract", () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let client: HttpClient;
  const requests: { method: string; url: string; body: unknown }[] = [];
  const frames: string[][] = [];

  before(async () => {
    t = await createTestDatabase("sqlite");
    app = await createCheckedApp({ database: t.database });
    app.addHook("preValidation", async (request) => {
      requests.push({ method: request.method, url: request.url, body: request.body });
    });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const server = (app as unknown as { websocketServer: { on: (...args: unknown[]) => void } })
      .websocketServer;
    server.on("connection", (socket: WebSocket) => {
      const mine: string[] = [];
      frames.push(mine);
      socket.on("message", (data: Buffer) => mine.push(data.toString()));
    });
    client = new HttpClient(`${address}/api`);
    useClient(client);
  });
  after(async () => {
    await shutdownRuntime();
    await app.close();
    await t.dispose();
  });

  it("sends only requests and events a Prefect 3 server accepts", async () => {
    let attempts = 0;
    const flaky = task({ name: "flaky", retries: 1 }, async (x: number) => {
      attempts++;
      if (attempts === 1) throw new Error("first attempt fails");
      return x + 1;
    });
    const child = flow({ name: "contract-child" }, async (x: number) => (await flaky(x)) * 2);
    // a fractional retry delay: the flow run's policy takes whole seconds (FlowRunPolicy)
    const parent = flow(
      { name: "contract-parent", retries: 1, retryDelaySeconds: 0.5 },
      async (n: number) => {
        getRunLogger().info("parent starts");
        const doubled = await task({ name: "double" }, async (x: number) => x * 2).map([1, 2, 3]);
        return (await child(n)) + doubled.length;
      },
    );
    assert.equal(await parent(1), 7);
    await client.confirmEvents();
    await app.flushEvents();

    const accepted = acceptedDeviations();
    const problems: string[] = [];
    for (const { method, url, body } of requests) {
      if (url.startsWith("/api/events/in")) continue;
      try {
        const { template, operation } = operationOf(method, url);
        const errors = operation.requestBody ? requestBodyErrors(template, method, body) : [];
        for (const e of errors) {
          if (!accepted.has(`${method} ${template}: ${e}`)) problems.push(`${method} ${url}: ${e}`);
        }
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    const events = frames.flatMap((socket) => socket.slice(1));
    const validateEvent = ajv.getSchema("prefect#/components/schemas/Event");
    assert.ok(validateEvent);
    for (const frame of events) {
      if (!validateEvent(JSON.parse(frame))) {
        problems.push(`event ${frame.slice(0, 80)}…: ${JSON.stringify(validateEvent.errors)}`);
      }
    }
    for (const socket of frames) {
      assert.deepEqual(JSON.parse(socket[0] ?? "{}"), { type: "auth", token: null });
    }
    assert.deepEqual(problems, []);
    // the run used what it is meant to: flow-run and task-run creation, states, logs, events
    const used = new Set(
      requests
        .filter((r) => !r.url.startsWith("/api/events/in"))
        .map((r) => `${r.method} ${operationOf(r.method, r.url).template}`),
    );
    for (const expected of [
      "POST /flows/",
      "POST /flow_runs/",
      "POST /flow_runs/{id}/set_state",
      "POST /task_runs/",
      "POST /logs/",
    ]) {
      assert.ok(used.has(expected), `the run never sent ${expected}`);
    }
    // three mapped tasks and a task that failed once, then completed on its retry
    const names = events.map((e) => (JSON.parse(e) as { event: string }).event);
    assert.equal(names.filter((n) => n === "prefect.task-run.Completed").length, 4);
    assert.ok(names.includes("prefect.task-run.AwaitingRetry"));
    assert.ok(names.includes("prefect.task-run.Retrying"));
  });
});
