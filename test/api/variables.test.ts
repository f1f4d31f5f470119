/**
 * `/variables` through a real server on an ephemeral port, on both databases: the capture's
 * exchanges (`more/variables-blocks-artifacts.jsonl`: a read of a missing name, the create, the
 * read by name, the listing) answered with Prefect's status and shapes; updates and deletes by
 * id and by name; filters, counts and sorts; bad input refused in Prefect's shape (a name with
 * other characters, too long, a value over 5,000 characters, a missing value, an extra field, a
 * name taken → 409), leaving nothing half-written.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

const records: Json[] = readFileSync(
  join(
    import.meta.dirname,
    "../../../shared/prefect-wire-transcripts/more/variables-blocks-artifacts.jsonl",
  ),
  "utf8",
)
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const captured = (method: string, url: string) =>
  records.filter((r) => r.method === method && r.url === url);

for (const dialect of DIALECTS) {
  describe(`/variables over HTTP (${dialect})`, () => {
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

    before(async () => {
      tdb = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: tdb.database });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("answers the capture's exchanges with Prefect's status and shapes", async () => {
      for (const r of records.filter((x) => x.method && x.url.startsWith("/api/variables"))) {
        const res = await call(r.method, r.url.replace(/^\/api/, ""), r.req ?? undefined);
        assert.equal(res.status, r.status, `${r.method} ${r.url}`);
        if (Array.isArray(r.res)) {
          assert.deepEqual(
            res.body.map((v: Json) => Object.keys(v).sort()),
            r.res.map((v: Json) => Object.keys(v).sort()),
          );
          assert.deepEqual(
            res.body.map((v: Json) => [v.name, v.value, v.tags]),
            r.res.map((v: Json) => [v.name, v.value, v.tags]),
          );
        } else if (r.res?.id) {
          assert.deepEqual(Object.keys(res.body).sort(), Object.keys(r.res).sort());
          assert.deepEqual(
            [res.body.name, res.body.value, res.body.tags],
            [r.res.name, r.res.value, r.res.tags],
          );
        } else {
          assert.deepEqual(res.body, r.res);
        }
      }
      assert.ok(captured("POST", "/api/variables/").length === 1);
    });

    it("reads, changes and deletes by id and by name; a JSON null is a value", async () => {
      const made = (
        await call("POST", "/variables/", {
          name: "by-id",
          value: [1, "two", { three: 3 }],
          tags: ["a"],
        })
      ).body;
      assert.deepEqual((await call("GET", `/variables/${made.id}`)).body, made);
      assert.equal((await call("PATCH", `/variables/${made.id}`, { value: null })).status, 204);
      const nulled = (await call("GET", "/variables/name/by-id")).body;
      assert.equal(nulled.value, null);
      assert.deepEqual(nulled.tags, ["a"], "a field left out keeps its value");
      assert.ok(nulled.updated > made.updated);
      assert.equal(
        (await call("PATCH", "/variables/name/by-id", { name: "renamed", tags: [] })).status,
        204,
      );
      assert.equal((await call("GET", "/variables/name/by-id")).status, 404);
      assert.deepEqual((await call("GET", "/variables/name/renamed")).body.tags, []);
      assert.equal((await call("DELETE", `/variables/${made.id}`)).status, 204);
      assert.deepEqual(await call("DELETE", `/variables/${made.id}`), {
        status: 404,
        body: { detail: "Variable not found." },
      });
      await call("POST", "/variables/", { name: "gone", value: 1 });
      assert.equal((await call("DELETE", "/variables/name/gone")).status, 204);
      assert.equal((await call("PATCH", "/variables/name/gone", { value: 2 })).status, 404);
      assert.equal(
        (await call("GET", "/variables/00000000-0000-4000-8000-000000000000")).status,
        404,
      );
    });

    it("filters, counts and sorts as Prefect's", async () => {
      await call("POST", "/variables/", { name: "f_alpha", value: "a", tags: ["x", "y"] });
      await call("POST", "/variables/", { name: "f_beta", value: true, tags: ["x"] });
      await call("POST", "/variables/", { name: "f_gamma", value: 3.5 });
      const names = async (body: unknown) =>
        (await call("POST", "/variables/filter", body)).body.map((v: Json) => v.name);
      assert.deepEqual(await names({ variables: { name: { like_: "f_" } } }), [
        "f_alpha",
        "f_beta",
        "f_gamma",
      ]);
      assert.deepEqual(await names({ variables: { name: { like_: "f_" } }, sort: "NAME_DESC" }), [
        "f_gamma",
        "f_beta",
        "f_alpha",
      ]);
      assert.deepEqual(await names({ variables: { tags: { all_: ["x", "y"] } } }), ["f_alpha"]);
      assert.deepEqual(
        await names({ variables: { name: { like_: "f_" }, tags: { is_null_: true } } }),
        ["f_gamma"],
      );
      assert.deepEqual(await names({ variables: { name: { any_: ["f_beta", "nope"] } } }), [
        "f_beta",
      ]);
      assert.deepEqual(await names({ variables: { name: { like_: "f_" } }, limit: 1, offset: 1 }), [
        "f_beta",
      ]);
      assert.equal(
        (await call("POST", "/variables/count", { variables: { tags: { all_: ["x"] } } })).body,
        2,
      );
      assert.equal((await call("POST", "/variables/count")).status, 200);
    });

    it("refuses bad input in Prefect's shape and writes nothing", async () => {
      const before = (await call("POST", "/variables/count")).body;
      const refused = async (body: unknown, loc: string[], msg: RegExp, status = 422) => {
        const res = await call("POST", "/variables/", body);
        assert.equal(res.status, status, JSON.stringify(res.body));
        if (status === 422) {
          assert.equal(res.body.exception_message, "Invalid request received.");
          const detail = res.body.exception_detail[0];
          assert.deepEqual(detail.loc, loc);
          assert.match(detail.msg, msg);
        } else {
          assert.match(res.body.detail, msg);
        }
      };
      await refused(
        { name: "Has Spaces", value: 1 },
        ["body", "name"],
        /^Value error, Variable name must only contain lowercase letters, numbers, and dashes or underscores\.$/,
      );
      await refused({ name: "UPPER", value: 1 }, ["body", "name"], /lowercase/);
      await refused(
        { name: "x".repeat(256), value: 1 },
        ["body", "name"],
        /at most 255 characters/,
      );
      await refused(
        { name: "big", value: "x".repeat(4999) },
        ["body", "value"],
        /^Value error, Variable value must be less than 5000 characters$/,
      );
      await refused({ name: "missing" }, ["body", "value"], /^Field required$/);
      await refused(
        { name: "extra", value: 1, id: "x" },
        ["body", "id"],
        /Extra inputs are not permitted/,
      );
      await refused({ name: "tags", value: 1, tags: "x" }, ["body", "tags"], /list/);
      await call("POST", "/variables/", { name: "taken", value: 1 });
      await refused(
        { name: "taken", value: 2 },
        [],
        /^A variable with the name 'taken' already exists\.$/,
        409,
      );
      await call("POST", "/variables/", { name: "other", value: 1 });
      const rename = await call("PATCH", "/variables/name/other", { name: "taken" });
      assert.deepEqual(rename, {
        status: 409,
        body: { detail: "A variable with the name 'taken' already exists." },
      });
      assert.equal((await call("PATCH", "/variables/name/other", { name: "Bad!" })).status, 422);
      assert.equal(
        (await call("PATCH", "/variables/name/other", { value: "y".repeat(6000) })).status,
        422,
      );
      assert.equal(
        (await call("GET", "/variables/name/other")).body.value,
        1,
        "nothing half-written",
      );
      assert.equal((await call("POST", "/variables/count")).body, before + 2);
      assert.equal((await call("POST", "/variables/filter", { sort: "NOPE" })).status, 422);
      assert.equal((await call("POST", "/variables/filter", { limit: 201 })).status, 422);
    });
  });
}
