/**
 * Authentication (`PREFECT_SERVER_API_AUTH_STRING`, as Prefect's server has it, plus API keys),
 * against a server on a real port, on both databases: every API route but the probes refuses a
 * request without the right credentials (reads, writes and deletes alike, in Prefect's 401 shape)
 * and does nothing; Basic auth with the auth string and a valid API key as Bearer are served; a
 * revoked key is refused; the events WebSockets check the token of their auth frame; a browser
 * page of another origin cannot open them; `/ui-settings` tells the UI to ask for the password
 * and never echoes the Host header; a client-mode flow and the CLI work with
 * `PREFECT_API_AUTH_STRING` and say what to set without it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { HttpClient } from "../../src/client/http-client.ts";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { createApiKey, revokeApiKey } from "../../src/resources/api-keys/model.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { runCli } from "../cli/helpers.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const AUTH = "admin:s3cret pass";
const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

type Handshake =
  | { outcome: "accepted"; answer: unknown }
  | { outcome: "closed"; code: number; reason: string }
  | { outcome: "refused"; error: string };

/** Open an events socket, send `frame` first, and tell what the server did with it. */
function handshake(url: string, frame: unknown, origin?: string): Promise<Handshake> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ["prefect"], origin ? { origin } : {});
    let settled = false;
    const settle = (h: Handshake) => {
      if (settled) return;
      settled = true;
      resolve(h);
      ws.close();
    };
    ws.on("open", () => ws.send(JSON.stringify(frame)));
    ws.on("message", (data) => settle({ outcome: "accepted", answer: JSON.parse(String(data)) }));
    ws.on("close", (code, reason) => settle({ outcome: "closed", code, reason: String(reason) }));
    ws.on("error", (error) => settle({ outcome: "refused", error: error.message }));
  });
}

for (const dialect of DIALECTS) {
  describe(`authentication (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base = "";
    let api = "";

    async function call(
      method: string,
      path: string,
      authorization?: string,
      body?: unknown,
      extra: Record<string, string> = {},
    ) {
      const headers: Record<string, string> = { ...extra };
      if (authorization !== undefined) headers.authorization = authorization;
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({
        database: t.database,
        settings: loadSettings({
          PREFECT_HOME: t.home,
          PREFECT_SERVER_API_AUTH_STRING: AUTH,
          PREFECT_UI_URL: "http://ui.example:8080",
        }),
        ui: { distDir: join(t.home, "no-ui-build") },
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      api = `${base}/api`;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("leaves the probes open and refuses every other API route without credentials", async () => {
      assert.deepEqual(await call("GET", "/api/health"), { status: 200, body: true });
      assert.equal((await call("GET", "/api/ready")).status, 200);
      const unauthorized = { status: 401, body: { exception_message: "Unauthorized" } };
      const id = randomUUID();
      for (const [method, path, body] of [
        ["POST", "/api/flows/", { name: "intruder" }],
        ["GET", `/api/flows/${id}`],
        ["PATCH", `/api/flows/${id}`, { tags: [] }],
        ["DELETE", `/api/flows/${id}`],
        ["POST", "/api/flow_runs/filter", {}],
        ["POST", "/api/events", []],
        ["GET", "/api/version"],
        ["GET", "/api/admin/settings"],
        ["GET", "/api/csrf-token?client=x"],
        ["GET", "/api/openapi.json"],
        ["GET", "/api/no-such-route"],
      ] as const) {
        assert.deepEqual(
          await call(method, path, undefined, body),
          unauthorized,
          `${method} ${path}`,
        );
      }
    });

    it("refuses wrong credentials, and a refused write changes nothing", async () => {
      for (const authorization of [
        basic("admin:wrong"),
        basic(`${AUTH} `),
        basic("admin"),
        "Basic !!!not-base64",
        `Basic ${Buffer.from(AUTH).toString("base64")} extra`,
        `Token ${Buffer.from(AUTH).toString("base64")}`,
        `Bearer ${AUTH}`,
        "Bearer pfts_unknownkeyunknownkeyunknownkeyunknownkey1",
        "",
      ]) {
        const res = await call("POST", "/api/flows/", authorization, { name: "sneaky" });
        assert.equal(res.status, 401, authorization);
      }
      const flows = await call("POST", "/api/flows/filter", basic(AUTH), {});
      assert.deepEqual(
        (flows.body as { name: string }[]).filter((f) => f.name === "sneaky"),
        [],
      );
    });

    it("serves reads, writes and deletes with the auth string as Basic auth", async () => {
      const created = await call("POST", "/api/flows/", basic(AUTH), { name: "allowed" });
      assert.equal(created.status, 201);
      const id = (created.body as { id: string }).id;
      assert.equal((await call("GET", `/api/flows/${id}`, basic(AUTH))).status, 200);
      assert.equal((await call("GET", "/api/version", basic(AUTH))).status, 200);
      assert.equal((await call("DELETE", `/api/flows/${id}`, basic(AUTH))).status, 204);
      assert.equal((await call("GET", `/api/flows/${id}`, basic(AUTH))).status, 404);
    });

    it("serves an API key as Bearer until it is revoked", async () => {
      const ctx = app.core.ctx;
      const { apiKey, key } = await createApiKey(ctx, "ci");
      assert.match(key, /^pfts_[A-Za-z0-9_-]{43}$/);
      const bearer = `Bearer ${key}`;
      const created = await call("POST", "/api/flows/", bearer, { name: "by-key" });
      assert.equal(created.status, 201);
      assert.equal(
        (await call("GET", `/api/flows/${(created.body as { id: string }).id}`, bearer)).status,
        200,
      );
      await revokeApiKey(ctx, apiKey.id);
      assert.equal((await call("POST", "/api/flows/", bearer, { name: "after" })).status, 401);
      assert.equal((await call("POST", "/api/flows/filter", bearer, {})).status, 401);
    });

    it("manages keys over HTTP for the auth string's holder only, never showing a stored key", async () => {
      const created = await call("POST", "/api/api_keys/", basic(AUTH), { name: "http" });
      assert.equal(created.status, 201);
      const { id, key } = created.body as { id: string; key: string };
      const bearer = `Bearer ${key}`;
      assert.equal((await call("GET", "/api/api_keys/", bearer)).status, 403);
      assert.equal((await call("POST", "/api/api_keys/", bearer, {})).status, 403);
      const listed = await call("GET", "/api/api_keys/", basic(AUTH));
      assert.equal(listed.status, 200);
      const text = JSON.stringify(listed.body);
      assert.ok(text.includes(id));
      assert.ok(!text.includes(key), "a listing shows no key");
      assert.equal((await call("DELETE", `/api/api_keys/${id}`, basic(AUTH))).status, 204);
      assert.equal((await call("GET", "/api/flows/filter", bearer)).status, 401);
      assert.equal(
        (await call("DELETE", `/api/api_keys/${randomUUID()}`, basic(AUTH))).status,
        404,
      );
    });

    it("tells the UI to ask for the password, with an API URL that is not the Host header", async () => {
      const res = await fetch(`${base}/ui-settings`, { headers: { host: "evil.example" } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { api_url: string; auth: string | null };
      assert.equal(body.auth, "BASIC");
      assert.equal(body.api_url, "/api");
      // the UI's page itself is open: it asks for the password
      assert.equal((await fetch(`${base}/dashboard`)).status, 200);
    });

    it("checks the token of the events sockets' auth frame", async () => {
      const { key } = await createApiKey(app.core.ctx, "socket");
      for (const path of ["/events/in", "/events/out"]) {
        const url = `${api.replace(/^http/, "ws")}${path}`;
        assert.deepEqual(await handshake(url, { type: "auth", token: "admin:nope" }), {
          outcome: "closed",
          code: 1008,
          reason: "Invalid token",
        });
        assert.deepEqual(await handshake(url, { type: "auth", token: null }), {
          outcome: "closed",
          code: 1008,
          reason: "Auth required but no token provided",
        });
        assert.deepEqual(await handshake(url, { type: "filter" }), {
          outcome: "closed",
          code: 1008,
          reason: "Expected 'auth' message",
        });
        for (const token of [AUTH, key]) {
          assert.deepEqual(await handshake(url, { type: "auth", token }), {
            outcome: "accepted",
            answer: { type: "auth_success" },
          });
        }
      }
    });

    it("refuses the events sockets to a browser page of another origin", async () => {
      const url = `${api.replace(/^http/, "ws")}/events/out`;
      const frame = { type: "auth", token: AUTH };
      const refused = await handshake(url, frame, "http://evil.example");
      assert.equal(refused.outcome, "refused");
      assert.match((refused as { error: string }).error, /403/);
      assert.equal((await handshake(url, frame, "null")).outcome, "refused");
      // the server's own origin, and the configured UI's
      for (const origin of [base, "http://ui.example:8080"]) {
        assert.equal((await handshake(url, frame, origin)).outcome, "accepted", origin);
      }
    });

    it("runs a client-mode flow with PREFECT_API_AUTH_STRING, and says what to set without it", async () => {
      const run = async (env: Record<string, string>) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "test/fixtures/client-mode-flow.ts"],
          {
            env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_URL: api, ...env },
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
        const [code] = await once(child, "exit");
        return { code: code as number | null, out };
      };
      const ok = await run({ PREFECT_API_AUTH_STRING: AUTH });
      assert.equal(ok.code, 0, ok.out);
      const runId = /RUN (\S+)/.exec(ok.out)?.[1];
      assert.ok(runId, ok.out);
      await app.flushEvents();
      const client = new HttpClient(api, { authString: AUTH });
      try {
        assert.equal(
          await client.countTaskRuns({ flowRunIds: [runId], stateTypes: ["COMPLETED"] }),
          200,
        );
      } finally {
        await client.close();
      }
      const refused = await run({});
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, /PREFECT_API_AUTH_STRING/);
      assert.match(refused.out, /401/);
    });

    it("fails a client call without credentials with ERR_UNAUTHORIZED naming the setting", async () => {
      const client = new HttpClient(api);
      try {
        await assert.rejects(client.readFlows(), (error: unknown) => {
          assert.ok(isPrefectTsError(error));
          assert.equal(error.code, ErrorCode.UNAUTHORIZED);
          assert.match(error.message, /set PREFECT_API_AUTH_STRING/i);
          return true;
        });
      } finally {
        await client.close();
      }
    });

    it("runs the CLI with PREFECT_API_AUTH_STRING, and without it says what to set, with no trace", async () => {
      const env = { PREFECT_HOME: t.home, PREFECT_API_URL: api };
      const ok = await runCli(["flow", "ls"], { ...env, PREFECT_API_AUTH_STRING: AUTH });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Flows/);
      const refused = await runCli(["flow", "ls"], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /PREFECT_API_AUTH_STRING/);
      assert.doesNotMatch(refused.stderr, /\n\s+at /);
      const wrong = await runCli(["flow", "ls"], { ...env, PREFECT_API_AUTH_STRING: "admin:no" });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /PREFECT_API_AUTH_STRING/);
    });
  });

  describe(`without authentication, the default (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base = "";

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({
        database: t.database,
        settings: loadSettings({ PREFECT_HOME: t.home }),
        ui: { distDir: join(t.home, "no-ui-build") },
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("serves requests without credentials and takes any socket token, as Prefect", async () => {
      const res = await fetch(`${base}/api/flows/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "open" }),
      });
      assert.equal(res.status, 201);
      const url = `${base.replace(/^http/, "ws")}/api/events/in`;
      assert.deepEqual(await handshake(url, { type: "auth", token: null }), {
        outcome: "accepted",
        answer: { type: "auth_success" },
      });
      const settings = (await (await fetch(`${base}/ui-settings`)).json()) as { auth: unknown };
      assert.equal(settings.auth, null);
    });

    it("still refuses the events sockets to a page of another origin", async () => {
      const url = `${base.replace(/^http/, "ws")}/api/events/in`;
      const frame = { type: "auth", token: null };
      assert.equal((await handshake(url, frame, "https://evil.example")).outcome, "refused");
      assert.equal((await handshake(url, frame, base)).outcome, "accepted");
    });
  });
}
