/**
 * `/artifacts` through a real server on an ephemeral port, on both databases: the capture's
 * creations (markdown, table, link-as-markdown, progress) and its progress update, listing of
 * latest versions and of a key's versions answered with Prefect's status and keys; versions of a
 * key and its collection row (`latest`, `{key}/latest`) through creation, update and deletion;
 * filters on the artifact and on its runs; an id of the caller's choosing (ours) made once; bad
 * input refused in Prefect's shape.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { uuid7 } from "../../src/core/ids.ts";
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

for (const dialect of DIALECTS) {
  describe(`/artifacts over HTTP (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;

    async function call(method: string, path: string, body?: unknown, headers = {}) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    const ok = async (method: string, path: string, body?: unknown, headers = {}) => {
      const res = await call(method, path, body, headers);
      assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    /** A flow run of our own (the capture's flow run is the real server's). */
    async function flowRun(name: string) {
      const flow = await ok("POST", "/flows/", { name });
      return ok("POST", "/flow_runs/", { flow_id: flow.id, name: `${name}-run` });
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

    it("answers the capture's exchanges with Prefect's status and keys", async () => {
      const run = await flowRun("probe-vba");
      const ids = new Map<string, string>();
      for (const r of records.filter((x) => x.method && x.url.startsWith("/api/artifacts"))) {
        let url = r.url.replace(/^\/api/, "");
        for (const [theirs, ours] of ids) url = url.replace(theirs, ours);
        const req =
          r.req && typeof r.req === "object" && "flow_run_id" in r.req
            ? { ...r.req, flow_run_id: run.id }
            : r.req;
        const res = await call(r.method, url, req ?? undefined);
        assert.equal(res.status, r.status, `${r.method} ${r.url}: ${JSON.stringify(res.body)}`);
        if (r.method === "POST" && r.url === "/api/artifacts/") {
          ids.set(r.res.id, res.body.id);
          assert.deepEqual(Object.keys(res.body), Object.keys(r.res));
          const { id: _a, created: _b, updated: _c, flow_run_id: fr, ...rest } = res.body;
          const { id: _d, created: _e, updated: _f, flow_run_id: _g, ...theirs } = r.res;
          assert.deepEqual(rest, theirs);
          assert.equal(fr, run.id);
        } else if (Array.isArray(r.res)) {
          assert.deepEqual(
            res.body.map((a: Json) => [Object.keys(a), a.key, a.type, a.data, a.description]),
            r.res.map((a: Json) => [Object.keys(a), a.key, a.type, a.data, a.description]),
          );
        }
      }
      const progress = [...ids.values()][3] as string;
      const updated = await ok("GET", `/artifacts/${progress}`);
      assert.equal(updated.data, 100, "the PATCH changed the progress in place");
    });

    it("keeps a key's versions; its collection row follows the latest through update and delete", async () => {
      const run1 = await flowRun("versions-1");
      const run2 = await flowRun("versions-2");
      const make = (data: string, flow_run_id: string) =>
        ok("POST", "/artifacts/", { key: "versioned", type: "markdown", data, flow_run_id });
      const v1 = await make("# one", run1.id);
      const v2 = await make("# two", run2.id);
      const both = await ok("POST", "/artifacts/filter", {
        artifacts: { key: { any_: ["versioned"] } },
      });
      assert.deepEqual(
        both.map((a: Json) => a.id),
        [v2.id, v1.id],
        "ID_DESC: newest first",
      );
      const latest = await ok("GET", "/artifacts/versioned/latest");
      assert.equal(latest.flow_run_id, run2.id);
      assert.equal(latest.data, "# two");
      assert.equal(latest.latest_id, undefined, "answered as an Artifact, as Prefect's route does");
      const [collection] = await ok("POST", "/artifacts/latest/filter", {
        artifacts: { key: { any_: ["versioned"] } },
      });
      assert.equal(collection.latest_id, v2.id);
      assert.equal(collection.id, latest.id);
      assert.equal(
        await ok("POST", "/artifacts/count", { artifacts: { key: { any_: ["versioned"] } } }),
        2,
      );
      // a change of the latest version shows in its collection row; of an older one, not
      assert.equal(
        (await call("PATCH", `/artifacts/${v2.id}`, { description: "changed" })).status,
        204,
      );
      assert.equal((await ok("GET", "/artifacts/versioned/latest")).description, "changed");
      await ok("PATCH", `/artifacts/${v1.id}`, {
        data: "# one, changed",
        metadata_: { a: "x".repeat(600) },
      });
      assert.equal((await ok("GET", "/artifacts/versioned/latest")).data, "# two");
      assert.equal((await ok("GET", `/artifacts/${v1.id}`)).metadata_.a, `${"x".repeat(500)}...`);
      // deleting the latest version makes the one before it the latest
      assert.equal((await call("DELETE", `/artifacts/${v2.id}`)).status, 204);
      const back = await ok("GET", "/artifacts/versioned/latest");
      assert.equal(back.flow_run_id, run1.id);
      assert.equal(back.data, "# one, changed");
      assert.equal((await call("DELETE", `/artifacts/${v1.id}`)).status, 204);
      assert.deepEqual(await call("GET", "/artifacts/versioned/latest"), {
        status: 404,
        body: { detail: "Artifact not found." },
      });
      assert.equal((await call("DELETE", `/artifacts/${v1.id}`)).status, 404);
      assert.equal((await call("PATCH", `/artifacts/${v1.id}`, { data: 1 })).status, 404);
    });

    it("filters by the artifact and by its runs", async () => {
      const run = await flowRun("filtered");
      const taskRun = await ok("POST", "/task_runs/", {
        flow_run_id: run.id,
        task_key: "t",
        dynamic_key: "0",
        name: "t-0",
      });
      await ok("POST", "/artifacts/", {
        key: "ft-table",
        type: "table",
        data: "[]",
        flow_run_id: run.id,
        task_run_id: taskRun.id,
      });
      await ok("POST", "/artifacts/", { type: "progress", data: 5, flow_run_id: run.id });
      await ok("POST", "/artifacts/", { key: "ft-free", type: "markdown", data: "x" });
      const keys = async (path: string, body: unknown) =>
        (await ok("POST", path, body)).map((a: Json) => a.key ?? "(none)").sort();
      assert.deepEqual(await keys("/artifacts/filter", { flow_runs: { id: { any_: [run.id] } } }), [
        "(none)",
        "ft-table",
      ]);
      assert.deepEqual(
        await keys("/artifacts/filter", { flows: { name: { any_: ["filtered"] } } }),
        ["(none)", "ft-table"],
      );
      assert.deepEqual(
        await keys("/artifacts/filter", { task_runs: { id: { any_: [taskRun.id] } } }),
        ["ft-table"],
      );
      assert.deepEqual(
        await keys("/artifacts/filter", {
          artifacts: { key: { exists_: false }, flow_run_id: { any_: [run.id] } },
        }),
        ["(none)"],
      );
      assert.deepEqual(
        await keys("/artifacts/filter", {
          artifacts: { key: { like_: "ft-" }, type: { not_any_: ["table"] } },
        }),
        ["ft-free"],
      );
      assert.deepEqual(
        await keys("/artifacts/latest/filter", { flow_runs: { id: { any_: [run.id] } } }),
        ["ft-table"],
      );
      assert.equal(
        await ok("POST", "/artifacts/latest/count", {
          artifacts: { type: { any_: ["table"] } },
          task_runs: { id: { any_: [taskRun.id] } },
        }),
        1,
      );
      const sorted = await ok("POST", "/artifacts/latest/filter", {
        artifacts: { key: { like_: "ft-" } },
        sort: "KEY_DESC",
      });
      assert.deepEqual(
        sorted.map((a: Json) => a.key),
        ["ft-table", "ft-free"],
      );
    });

    it("makes an artifact of a given id once (ours: the SDK's write queue)", async () => {
      const id = uuid7();
      const header = { "prefect-ts-artifact-id": id };
      const first = await call(
        "POST",
        "/artifacts/",
        { key: "named", type: "markdown", data: "a" },
        header,
      );
      assert.equal(first.status, 201);
      assert.equal(first.body.id, id);
      const again = await call(
        "POST",
        "/artifacts/",
        { key: "named", type: "markdown", data: "b" },
        header,
      );
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body, "answered as it is, unchanged");
      assert.equal(
        await ok("POST", "/artifacts/count", { artifacts: { key: { any_: ["named"] } } }),
        1,
      );
      const bad = await call(
        "POST",
        "/artifacts/",
        { data: 1 },
        { "prefect-ts-artifact-id": "nope" },
      );
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.exception_detail[0].loc, ["header", "prefect-ts-artifact-id"]);
    });

    it("refuses bad input in Prefect's shape and writes nothing", async () => {
      const before = await ok("POST", "/artifacts/count");
      const refused = async (body: unknown, loc: (string | number)[], msg: RegExp) => {
        const res = await call("POST", "/artifacts/", body);
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.deepEqual(res.body.exception_detail[0].loc, loc);
        assert.match(res.body.exception_detail[0].msg, msg);
      };
      await refused(
        { key: "Not_OK", data: 1 },
        ["body", "key"],
        /^Value error, Artifact key must only contain lowercase letters, numbers, and dashes\.$/,
      );
      await refused({ key: "ok", metadata_: { a: 1 } }, ["body", "metadata_", "a"], /string/);
      await refused({ key: "ok", flow_run_id: "nope" }, ["body", "flow_run_id"], /UUID/);
      await refused({ key: "ok", latest_id: "x" }, ["body", "latest_id"], /Extra inputs/);
      assert.equal((await call("PATCH", `/artifacts/${uuid7()}`, { key: "x" })).status, 422);
      assert.equal((await call("GET", "/artifacts/not-a-uuid")).status, 404);
      assert.equal((await call("POST", "/artifacts/filter", { sort: "NAME_ASC" })).status, 422);
      assert.equal(
        (await call("POST", "/artifacts/latest/filter", { artifacts: { id: { any_: [] } } }))
          .status,
        422,
      );
      assert.equal(await ok("POST", "/artifacts/count"), before);
    });
  });
}
