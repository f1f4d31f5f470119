/**
 * What the server says its version is, and the checks Prefect's Python client makes of it
 * (`PrefectClient.raise_for_api_version_mismatch`): `GET /admin/version` is parsed with
 * `packaging.version.parse`, its major version must be the client's (3), and a server older than
 * the client draws a warning. `GET /version` answers the REST API version (`0.8.4`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { API_VERSION, PREFECT_SERVER_VERSION } from "../../src/core/api-version.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

/** PEP 440's version grammar (canonical spellings: what `packaging` parses without complaint). */
const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|rc)[-_.]?(\d+))?(?:\.post(\d+))?(?:[-_.]?dev[-_.]?(\d+))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

interface Pep440 {
  release: number[];
  pre: string | undefined;
  dev: number | undefined;
  local: string | undefined;
}

function parse(version: string): Pep440 {
  const m = PEP440.exec(version);
  assert.ok(m, `${version} is not a PEP 440 version`);
  return {
    release: (m[2] ?? "").split(".").map(Number),
    pre: m[3],
    dev: m[6] === undefined ? undefined : Number(m[6]),
    local: m[7],
  };
}

/** `a < b` as `packaging` orders final, dev and local versions (no pre or post releases here). */
function older(a: Pep440, b: Pep440): boolean {
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const x = a.release[i] ?? 0;
    const y = b.release[i] ?? 0;
    if (x !== y) return x < y;
  }
  // a dev release comes before its final release
  if ((a.dev !== undefined) !== (b.dev !== undefined)) return a.dev !== undefined;
  if (a.dev !== undefined && b.dev !== undefined && a.dev !== b.dev) return a.dev < b.dev;
  // a local version comes after its public version
  return a.local === undefined && b.local !== undefined;
}

const OWN_VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

for (const dialect of DIALECTS) {
  describe(`${dialect}: the server's versions`, () => {
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

    it("/admin/version: the Prefect release spoken, this package's version as its local label", async () => {
      const res = await app.inject({ method: "GET", url: "/api/admin/version" });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers["x-prefect-api-version"], API_VERSION);
      const version = res.json() as string;
      assert.equal(version, `${PREFECT_SERVER_VERSION}+prefect-ts.${OWN_VERSION}`);
      const server = parse(version);
      // the Python client's checks: same major version, and no older than the client
      for (const client of ["3.8.4", "3.8.4.dev6", "3.8.0", "3.0.0"]) {
        assert.equal(server.release[0], parse(client).release[0], client);
        assert.equal(older(server, parse(client)), false, `server older than client ${client}`);
      }
      // a newer client is told the server is older, as a real 3.8.4 server tells it
      assert.equal(older(server, parse("3.9.0")), true);
    });

    it("/version: the REST API version, in the body and the header", async () => {
      const res = await app.inject({ method: "GET", url: "/api/version" });
      assert.equal(res.json(), API_VERSION);
      assert.equal(res.headers["x-prefect-api-version"], API_VERSION);
    });
  });
}
