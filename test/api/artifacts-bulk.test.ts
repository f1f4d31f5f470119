/**
 * `POST /artifacts/bulk` (ours) through a real server on an ephemeral port, on both databases: a
 * batch with the ids of the caller's choosing written whole, in order (a key's last one its latest
 * version); sent again, nothing changes — even after a newer version of a key was made, which
 * stays the latest; a batch with a bad item refused whole with a 422 naming the item's place;
 * left out of the OpenAPI document. And the HTTP client: a batch goes as one request per 1,000;
 * against a server without the route (Prefect's 404 or 405) it falls back to one `POST
 * /artifacts/` each, and a refused batch is sent again one by one so that only the bad one is lost.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { uuid7 } from "../../src/core/ids.ts";
import { createArtifactBatch } from "../../src/resources/artifacts/model.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { ctxOf } from "../helpers/context.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

const markdown = (key: string | null, text: string, id = uuid7()) => ({
  id,
  key,
  type: "markdown",
  description: null,
  data: text,
  metadata_: null,
  flow_run_id: null,
  task_run_id: null,
});

for (const dialect of DIALECTS) {
  describe(`POST /artifacts/bulk and the client's batches (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    /** `METHOD /path` of every request the server was sent. */
    const seen: string[] = [];
    /** What the server answers `POST /api/artifacts/bulk` with instead of serving it, if set. */
    let refuseBulkWith: number | null = null;

    async function call(method: string, path: string, body?: unknown) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    /** The key's collection row: its latest version (`latest_id`) and that version's fields. */
    const latestOf = async (key: string) =>
      (await call("POST", "/artifacts/latest/filter", { artifacts: { key: { any_: [key] } } }))
        .body[0];
    const countOf = async (key: string) =>
      (await call("POST", "/artifacts/count", { artifacts: { key: { any_: [key] } } })).body;

    before(async () => {
      tdb = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: tdb.database });
      app.addHook("onRequest", async (req, reply) => {
        seen.push(`${req.method} ${req.url.split("?")[0]}`);
        // a server without the route, as Prefect's: 405 (a path it serves with other methods)
        // or 404
        if (refuseBulkWith !== null && req.method === "POST" && req.url === "/api/artifacts/bulk") {
          const detail = refuseBulkWith === 405 ? "Method Not Allowed" : "Not Found";
          return reply.code(refuseBulkWith).send({ detail });
        }
      });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("writes a batch in its order, and again changes nothing", async () => {
      const batch = [
        markdown("bulk-report", "# one"),
        markdown(null, "# loose"),
        markdown("bulk-report", "# two"),
      ];
      const first = await call("POST", "/artifacts/bulk", batch);
      assert.deepEqual(first, { status: 201, body: { created: 3, existing: 0 } });
      for (const a of batch) {
        const read = await call("GET", `/artifacts/${a.id}`);
        assert.equal(read.status, 200);
        assert.equal(read.body.data, a.data);
        assert.equal(read.body.key, a.key);
      }
      assert.equal((await latestOf("bulk-report")).latest_id, batch[2]?.id);
      const again = await call("POST", "/artifacts/bulk", batch);
      assert.deepEqual(again, { status: 201, body: { created: 0, existing: 3 } });
      assert.equal(await countOf("bulk-report"), 2);
      // ids as the header takes them: any case, stored lowercase
      const upper = markdown("bulk-upper", "# up");
      assert.equal(
        (await call("POST", "/artifacts/bulk", [{ ...upper, id: upper.id.toUpperCase() }])).status,
        201,
      );
      assert.equal((await call("GET", `/artifacts/${upper.id}`)).body.id, upper.id);
      assert.deepEqual(await call("POST", "/artifacts/bulk", []), {
        status: 201,
        body: { created: 0, existing: 0 },
      });
    });

    it("keeps a newer version the latest when an older batch is sent again", async () => {
      const v1 = [markdown("bulk-resent", "# v1")];
      const v2 = [markdown("bulk-resent", "# v2")];
      assert.equal((await call("POST", "/artifacts/bulk", v1)).status, 201);
      assert.equal((await call("POST", "/artifacts/bulk", v2)).status, 201);
      // the first batch had committed, but its sender did not hear back: it sends it again
      assert.deepEqual((await call("POST", "/artifacts/bulk", v1)).body, {
        created: 0,
        existing: 1,
      });
      const latest = await latestOf("bulk-resent");
      assert.equal(latest.latest_id, v2[0]?.id);
      assert.equal(latest.data, "# v2");
      // an id given twice in one batch is written once, as first given
      const twice = markdown("bulk-twice", "# first");
      const answer = await call("POST", "/artifacts/bulk", [twice, { ...twice, data: "# second" }]);
      assert.deepEqual(answer.body, { created: 1, existing: 1 });
      assert.equal((await latestOf("bulk-twice")).data, "# first");
    });

    it("refuses a batch with a bad item whole, naming its place", async () => {
      const good = markdown("bulk-refused", "# fine");
      const badKey = markdown("Not A Key", "# bad");
      const res = await call("POST", "/artifacts/bulk", [good, markdown(null, "# x"), badKey]);
      assert.equal(res.status, 422);
      assert.equal(res.body.exception_message, "Invalid request received.");
      assert.deepEqual(
        res.body.exception_detail.map((d: Json) => d.loc),
        [["body", 2, "key"]],
      );
      assert.equal((await call("GET", `/artifacts/${good.id}`)).status, 404);

      for (const [item, loc] of [
        [{ ...good, flow_run_id: "not-a-uuid" }, ["body", 0, "flow_run_id"]],
        [{ ...good, colour: "blue" }, ["body", 0]],
        [{ ...good, id: undefined }, ["body", 0, "id"]],
      ] as const) {
        const refused = await call("POST", "/artifacts/bulk", [item]);
        assert.equal(refused.status, 422, JSON.stringify(item));
        assert.deepEqual(refused.body.exception_detail[0].loc.slice(0, loc.length), loc);
      }
      assert.equal((await call("POST", "/artifacts/bulk", { artifacts: [good] })).status, 422);
      assert.equal((await call("GET", `/artifacts/${good.id}`)).status, 404);
    });

    if (dialect === "postgres") {
      it("refuses a batch whole when the database cannot take one of its values", async () => {
        // the API's JSON parser refuses a NUL before any model sees it: the model, directly
        const good = markdown("bulk-nul", "# fine");
        const nul = { ...markdown("bulk-nul", "# nul"), description: "a\u0000b" };
        const result = await createArtifactBatch(ctxOf(tdb.database), [good, nul]);
        assert.ok("refused" in result);
        assert.deepEqual(
          result.refused.map(({ index, id, field }) => ({ index, id, field })),
          [{ index: 1, id: nul.id, field: null }],
        );
        assert.equal((await call("GET", `/artifacts/${good.id}`)).status, 404);
        assert.equal(await countOf("bulk-nul"), 0);
      });
    }

    it("is left out of the OpenAPI document", async () => {
      const doc = (await call("GET", "/openapi.json")).body;
      assert.ok(doc.paths["/api/artifacts/"]?.post, "POST /artifacts/ is documented");
      assert.equal(doc.paths["/api/artifacts/bulk"], undefined);
    });

    it("is what the HTTP client sends a batch as, 1,000 a request", async () => {
      const client = new HttpClient(`${base}/api`);
      try {
        const inputs = Array.from({ length: 2500 }, (_, i) => ({
          ...markdown(`bulk-client-${i % 3}`, `# ${i}`),
        }));
        seen.length = 0;
        assert.deepEqual(await client.artifacts.createMany(inputs), []);
        assert.deepEqual(seen, Array(3).fill("POST /api/artifacts/bulk"));
        assert.equal(await client.artifacts.count({ keyLike: "bulk-client-" }), 2500);
        // the last of each key is its latest version
        for (const k of [0, 1, 2]) {
          const last = inputs.findLast((a) => a.key === `bulk-client-${k}`);
          assert.equal((await latestOf(`bulk-client-${k}`)).latest_id, last?.id);
        }
        // a refused batch is sent again one by one: only the bad one is left out
        const good = markdown("bulk-client-mixed", "# good");
        const bad = markdown("Bad Key", "# bad");
        seen.length = 0;
        const refused = await client.artifacts.createMany([good, bad]);
        assert.deepEqual(
          refused.map((r) => r.id),
          [bad.id],
        );
        assert.deepEqual(seen.sort(), [
          "POST /api/artifacts/",
          "POST /api/artifacts/",
          "POST /api/artifacts/bulk",
        ]);
        assert.equal((await call("GET", `/artifacts/${good.id}`)).status, 200);
      } finally {
        await client.close();
      }
    });

    for (const status of [405, 404]) {
      it(`falls back to one POST /artifacts/ each against a server without the route (${status})`, async () => {
        refuseBulkWith = status;
        const client = new HttpClient(`${base}/api`);
        try {
          const inputs = Array.from({ length: 30 }, (_, i) =>
            markdown(`bulk-fallback-${status}`, `# ${i}`),
          );
          seen.length = 0;
          assert.deepEqual(await client.artifacts.createMany(inputs.slice(0, 20)), []);
          // asked once; from then on, one each
          assert.deepEqual(await client.artifacts.createMany(inputs.slice(20)), []);
          assert.equal(seen.filter((r) => r === "POST /api/artifacts/bulk").length, 1);
          assert.equal(seen.filter((r) => r === "POST /api/artifacts/").length, 30);
          assert.equal(await countOf(`bulk-fallback-${status}`), 30);
          for (const a of [inputs[0], inputs[29]]) {
            assert.equal((await client.artifacts.read(a?.id as string)).data, a?.data);
          }
        } finally {
          refuseBulkWith = null;
          await client.close();
        }
      });
    }

    it("refuses more than 10,000 artifacts in one request", async () => {
      const many = Array.from({ length: 10_001 }, (_, i) => markdown(null, `${i}`));
      const res = await call("POST", "/artifacts/bulk", many);
      assert.equal(res.status, 422);
      assert.equal((await call("GET", `/artifacts/${many[0]?.id}`)).status, 404);
    });
  });
}
