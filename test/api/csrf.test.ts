/**
 * CSRF protection as Prefect's server has it (`PREFECT_SERVER_CSRF_PROTECTION_ENABLED`), against a
 * server on a real port, on both databases: a state-changing request needs a token issued to its
 * client by `GET /api/csrf-token` (Prefect's 403 messages otherwise, and nothing written), reads
 * need none, an expired token is refused, and the client (`PREFECT_CLIENT_CSRF_SUPPORT_ENABLED`)
 * fetches a token by itself when the server asks for one. Protection is off by default.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { addSeconds, nowIso } from "../../src/core/time.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`CSRF protection (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let api = "";
    /** The app clock, moved forward by tests to expire tokens. */
    let offsetSeconds = 0;

    async function call(method: string, path: string, body?: unknown, headers = {}) {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({
        database: t.database,
        clock: { nowIso: () => addSeconds(nowIso(), offsetSeconds) },
        settings: loadSettings({
          PREFECT_HOME: t.home,
          PREFECT_SERVER_CSRF_PROTECTION_ENABLED: "true",
          PREFECT_SERVER_CSRF_TOKEN_EXPIRATION: "PT10M",
        }),
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
      api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api`;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("refuses state-changing requests without a valid token, in Prefect's words", async () => {
      const forbidden = (detail: string) => ({ status: 403, body: { detail } });
      const flow = { name: "csrf-refused" };
      assert.deepEqual(await call("POST", "/flows/", flow), forbidden("Missing CSRF token."));
      assert.deepEqual(
        await call("POST", "/flows/", flow, { "prefect-csrf-token": "x" }),
        forbidden("Missing client identifier."),
      );
      const wrong = forbidden("Invalid CSRF token or client identifier.");
      const issued = await call("GET", "/csrf-token?client=other");
      const otherToken = (issued.body as { token: string }).token;
      for (const headers of [
        { "prefect-csrf-token": "guess", "prefect-csrf-client": "nobody" },
        { "prefect-csrf-token": otherToken, "prefect-csrf-client": "someone-else" },
        { "prefect-csrf-token": `${otherToken}0`, "prefect-csrf-client": "other" },
      ]) {
        assert.deepEqual(await call("POST", "/flows/", flow, headers), wrong);
        assert.deepEqual(
          await call("DELETE", `/flows/${crypto.randomUUID()}`, undefined, headers),
          wrong,
        );
      }
      // nothing was written, and reads need no token
      const flows = await call(
        "POST",
        "/flows/filter",
        {},
        {
          "prefect-csrf-token": otherToken,
          "prefect-csrf-client": "other",
        },
      );
      assert.equal(flows.status, 200);
      assert.deepEqual(flows.body, []);
      assert.equal((await call("GET", "/health")).status, 200);
    });

    it("serves a request carrying its client's token, until the token expires", async () => {
      const res = await call("GET", "/csrf-token?client=ui-1");
      assert.equal(res.status, 200);
      const token = res.body as { token: string; client: string; expiration: string; id: string };
      assert.equal(token.client, "ui-1");
      assert.match(token.token, /^[0-9a-f]{64}$/);
      const lifetime = (Date.parse(token.expiration) - Date.now()) / 1000;
      assert.ok(lifetime > 590 && lifetime <= 601, String(lifetime));
      const headers = { "prefect-csrf-token": token.token, "prefect-csrf-client": "ui-1" };
      assert.equal((await call("POST", "/flows/", { name: "csrf-ok" }, headers)).status, 201);
      // a new token for the client replaces the old one
      const renewed = (await call("GET", "/csrf-token?client=ui-1")).body as { token: string };
      assert.notEqual(renewed.token, token.token);
      assert.equal((await call("POST", "/flows/", { name: "old" }, headers)).status, 403);
      const current = { "prefect-csrf-token": renewed.token, "prefect-csrf-client": "ui-1" };
      offsetSeconds = 601;
      try {
        assert.equal((await call("POST", "/flows/", { name: "late" }, current)).status, 403);
      } finally {
        offsetSeconds = 0;
      }
    });

    it("lets the client fetch and send tokens by itself; without support it says why it was refused", async () => {
      const client = new HttpClient(api);
      try {
        const flow = await client.createFlow({ name: "csrf-client" });
        assert.equal((await client.readFlow(flow.id)).name, "csrf-client");
        await client.createFlow({ name: "csrf-client-2" });
      } finally {
        await client.close();
      }
      const unsupported = new HttpClient(api, { csrfSupport: false });
      try {
        await assert.rejects(unsupported.createFlow({ name: "nope" }), /CSRF protection on/);
      } finally {
        await unsupported.close();
      }
    });
  });

  describe(`CSRF protection off, the default (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("answers /csrf-token with Prefect's 422 and takes writes without tokens", async () => {
      const res = await app.inject({ method: "GET", url: "/api/csrf-token?client=x" });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(res.json(), { detail: "CSRF protection is disabled." });
      const flow = await app.inject({ method: "POST", url: "/api/flows/", payload: { name: "f" } });
      assert.equal(flow.statusCode, 201);
    });
  });
}
