/**
 * Every operation of Prefect's OpenAPI document that this server does not serve yet answers as
 * Prefect answers a path it does not know — 404 `{"detail": "Not Found"}` — never a 500 or a
 * silent 200, whatever the body (none, an empty one under a JSON content type, or `{}`); a path
 * it serves, asked with a method it does not, answers 405 as Starlette does.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.ts";

const PREFECT = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../shared/prefect-openapi.json"), "utf8"),
) as { paths: Record<string, Record<string, unknown>> };

const METHODS = ["get", "post", "put", "patch", "delete"];

/** A concrete path for a template: a UUID for ids, a name for the rest. */
function concrete(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    /id$/.test(name) ? randomUUID() : "some-name",
  );
}

describe("the operations of Prefect's API this server does not serve", () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let base: string;
  let served: Set<string>;
  before(async () => {
    t = await createTestDatabase("sqlite");
    app = await createCheckedApp({ database: t.database });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
    const ours = (await (await fetch(`${base}/api/openapi.json`)).json()) as typeof PREFECT;
    served = new Set(
      Object.entries(ours.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path.replace(/^\/api/, "")}`),
      ),
    );
  });
  after(async () => {
    await app.close();
    await t.dispose();
  });

  it("answer 404 in Prefect's shape, with or without a body", async () => {
    const wrong: string[] = [];
    let asked = 0;
    for (const [template, operations] of Object.entries(PREFECT.paths)) {
      for (const method of METHODS.filter((m) => m in operations)) {
        if (served.has(`${method} ${template}`)) continue;
        // a path this server serves with other methods answers 405, tested below
        const servedPath = METHODS.some((m) => served.has(`${m} ${template}`));
        const url = `${base}/api${concrete(template)}`;
        for (const body of [undefined, "", "{}"]) {
          const res = await fetch(url, {
            method: method.toUpperCase(),
            headers: body === undefined ? {} : { "content-type": "application/json" },
            body: method === "get" ? undefined : body,
          });
          asked++;
          const text = await res.text();
          const expected = servedPath ? 405 : 404;
          if (res.status !== expected) {
            wrong.push(
              `${method.toUpperCase()} ${template} (body ${JSON.stringify(body)}) → ${res.status} ${text}`,
            );
          }
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(asked > 50, `only ${asked} requests`);
  });

  it("answer 405 with the methods allowed on a path served with others", async () => {
    const res = await fetch(`${base}/api/flows/${randomUUID()}`, { method: "PUT" });
    assert.equal(res.status, 405);
    assert.deepEqual(await res.json(), { detail: "Method Not Allowed" });
    assert.deepEqual(res.headers.get("allow")?.split(", ").sort(), [
      "DELETE",
      "GET",
      "HEAD",
      "PATCH",
    ]);
    const unknown = await fetch(`${base}/api/nowhere/${randomUUID()}`, { method: "PUT" });
    assert.equal(unknown.status, 404);
  });

  it("serves a DELETE sent with a JSON content type and no body", async () => {
    const flow = (await (
      await fetch(`${base}/api/flows/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "to-delete" }),
      })
    ).json()) as { id: string };
    const res = await fetch(`${base}/api/flows/${flow.id}`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 204);
    const filtered = await fetch(`${base}/api/flows/filter`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    assert.equal(filtered.status, 200);
  });
});
