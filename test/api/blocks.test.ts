/**
 * Blocks through a real server on an ephemeral port, on both databases: the system block types
 * registered at start with Prefect's checksums (the `secret` schema as captured from Prefect
 * 3.8.4, found by the checksum a Python client asks for), the captured exchanges of the
 * variables-blocks-artifacts transcript answered with Prefect's keys and values, secrets masked
 * (top level, `*` paths, nested documents) unless `include_secrets`, masked secrets sent back kept,
 * unique names (409), data held to the schema (422 naming the field, the secret not echoed),
 * protected types, and bad input.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { blockSchemaChecksum } from "../../src/core/block-checksum.ts";
import { SYSTEM_BLOCKS } from "../../src/core/system-blocks.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

const TRANSCRIPT = join(
  import.meta.dirname,
  "../../../shared/prefect-wire-transcripts/more/variables-blocks-artifacts.jsonl",
);
const records: Json[] = readFileSync(TRANSCRIPT, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const exchange = (method: string, url: string) =>
  records.find((r) => r.method === method && r.url.startsWith(url));

const SECRET_TYPE = exchange("GET", "/api/block_types/slug/secret").res;
const SECRET_SCHEMA = exchange("GET", "/api/block_schemas/checksum/sha256:c078").res;
const JSON_TYPE_REQUEST = exchange("POST", "/api/block_types/").req;
const JSON_SCHEMA_REQUEST = exchange("POST", "/api/block_schemas/").req;
const JSON_SCHEMA_ANSWER = exchange("POST", "/api/block_schemas/").res;
const SECRET_VALUE = "pa55-api-test-9";

const typeFields = (t: Json) => {
  const { id: _i, created: _c, updated: _u, ...rest } = t;
  return rest;
};

for (const dialect of DIALECTS) {
  describe(`blocks over HTTP (${dialect})`, () => {
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
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json, text };
    }
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body);
      assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${res.text}`);
      return res.body;
    };

    /** A block type with a schema of these fields; its ids. */
    async function registerType(slug: string, fields: Json, capabilities: string[] = []) {
      const type = await ok("POST", "/block_types/", { name: slug, slug });
      const schema = await ok("POST", "/block_schemas/", {
        fields,
        block_type_id: type.id,
        capabilities,
      });
      return { type, schema };
    }

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({
        PREFECT_HOME: tdb.home,
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
      });
      app = await createCheckedApp({ database: tdb.database, settings });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("registers the system block types at start, with Prefect's secret type and schema", async () => {
      const types = await ok("POST", "/block_types/filter", {});
      const slugs = types.map((t: Json) => t.slug);
      for (const slug of [
        "secret",
        "json",
        "string",
        "date-time",
        "local-file-system",
        "webhook",
        "slack-webhook",
        "custom-webhook",
      ]) {
        assert.ok(slugs.includes(slug), `${slug} in ${slugs.join(", ")}`);
      }
      assert.deepEqual(
        types.map((t: Json) => t.name),
        [...types.map((t: Json) => t.name)].sort(),
      );
      assert.deepEqual(
        typeFields(await ok("GET", "/block_types/slug/secret")),
        typeFields(SECRET_TYPE),
      );
      // what a Python 3.8.4 client asks before saving a Secret
      const schema = await ok(
        "GET",
        `/block_schemas/checksum/${SECRET_SCHEMA.checksum}?version=3.8.4`,
      );
      assert.deepEqual(schema.fields, SECRET_SCHEMA.fields);
      assert.equal(schema.checksum, SECRET_SCHEMA.checksum);
      assert.deepEqual(schema.capabilities, []);
      assert.equal(schema.version, "3.8.4");
      assert.deepEqual(typeFields(schema.block_type), typeFields(SECRET_TYPE));
      // registering again changes nothing
      const before = await ok("POST", "/block_schemas/filter", {});
      assert.equal((await call("POST", "/block_types/install_system_block_types")).status, 200);
      assert.equal((await ok("POST", "/block_schemas/filter", {})).length, before.length);
      const capabilities = await ok("GET", "/block_capabilities/");
      for (const c of ["get-directory", "notify", "put-directory", "read-path", "write-path"]) {
        assert.ok(capabilities.includes(c), c);
      }
      const lfs = await ok("POST", "/block_schemas/filter", {
        block_schemas: { block_capabilities: { all_: ["read-path", "write-path"] } },
      });
      assert.deepEqual(
        lfs.map((s: Json) => s.block_type.slug),
        ["local-file-system"],
      );
    });

    it("answers the transcript's secret and JSON block exchanges", async () => {
      const secretType = await ok("GET", "/block_types/slug/secret");
      const secretSchema = await ok(
        "GET",
        `/block_schemas/checksum/${SECRET_SCHEMA.checksum}?version=3.8.4`,
      );
      const created = await call("POST", "/block_documents/", {
        name: "probe-secret",
        data: { value: SECRET_VALUE },
        block_schema_id: secretSchema.id,
        block_type_id: secretType.id,
        is_anonymous: false,
      });
      assert.equal(created.status, 201);
      const captured = exchange("POST", "/api/block_documents/").res;
      assert.deepEqual(Object.keys(created.body).sort(), Object.keys(captured).sort());
      assert.deepEqual(created.body.data, { value: "********" });
      assert.equal(created.body.block_type_name, "Secret");
      assert.deepEqual(created.body.block_document_references, {});
      assert.deepEqual(created.body.block_schema.fields, SECRET_SCHEMA.fields);
      assert.ok(!created.text.includes(SECRET_VALUE));

      const loaded = await ok(
        "GET",
        "/block_types/slug/secret/block_documents/name/probe-secret?include_secrets=true",
      );
      assert.deepEqual(loaded.data, { value: SECRET_VALUE });
      const hidden = await call(
        "GET",
        "/block_types/slug/secret/block_documents/name/probe-secret?include_secrets=false",
      );
      assert.deepEqual(hidden.body.data, { value: "********" });
      assert.ok(
        !(await call("GET", `/block_documents/${created.body.id}`)).text.includes(SECRET_VALUE),
      );

      // the JSON probe: a type of the client's, its schema checksummed as Prefect did
      const probeType = await ok("POST", "/block_types/", {
        ...JSON_TYPE_REQUEST,
        slug: "probe-json",
        name: "Probe JSON",
      });
      assert.equal(probeType.is_protected, false);
      assert.equal(probeType.code_example, JSON_TYPE_REQUEST.code_example);
      const missing = await call(
        "GET",
        `/block_schemas/checksum/${JSON_SCHEMA_ANSWER.checksum}?version=non-versioned`,
      );
      assert.deepEqual(missing, {
        status: 404,
        body: { detail: "Block schema not found" },
        text: missing.text,
      });
      const fields = { ...JSON_SCHEMA_REQUEST.fields, block_type_slug: "json" };
      const schema = await call("POST", "/block_schemas/", {
        ...JSON_SCHEMA_REQUEST,
        fields,
        block_type_id: probeType.id,
      });
      assert.equal(schema.status, 201);
      assert.equal(schema.body.checksum, JSON_SCHEMA_ANSWER.checksum);
      assert.deepEqual(schema.body.fields, JSON_SCHEMA_ANSWER.fields);
      assert.equal(schema.body.version, "non-versioned");
      const again = await call("POST", "/block_schemas/", {
        ...JSON_SCHEMA_REQUEST,
        fields,
        block_type_id: probeType.id,
      });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, schema.body.id);
      const doc = await ok("POST", "/block_documents/", {
        name: "probe-json",
        data: { value: { k: [1, 2, 3] } },
        block_schema_id: schema.body.id,
        block_type_id: probeType.id,
      });
      assert.deepEqual(doc.data, { value: { k: [1, 2, 3] } });

      // `prefect block ls`, as captured
      const listed = await ok(
        "POST",
        "/block_documents/filter",
        exchange("POST", "/api/block_documents/filter").req,
      );
      assert.deepEqual(
        listed.map((d: Json) => d.name),
        ["probe-json", "probe-secret"],
      );
      const masked = await call("POST", "/block_documents/filter", {});
      assert.ok(!masked.text.includes(SECRET_VALUE));
      assert.ok(
        !(await call("POST", "/block_documents/filter", { include_secrets: false })).text.includes(
          SECRET_VALUE,
        ),
      );
      assert.equal(await ok("POST", "/block_documents/count", {}), 2);
    });

    it("masks nested and wildcard secret fields, and keeps a masked secret sent back", async () => {
      const child = await registerType("probe-credentials", {
        title: "Credentials",
        type: "object",
        properties: {
          user: { title: "User", type: "string" },
          token: { title: "Token", type: "string", format: "password", writeOnly: true },
        },
        required: ["user", "token"],
        secret_fields: ["token"],
        block_type_slug: "probe-credentials",
        block_schema_references: {},
      });
      const parent = await registerType("probe-service", {
        title: "Service",
        type: "object",
        properties: {
          host: { title: "Host", type: "string" },
          headers: { title: "Headers", type: "object" },
          credentials: { $ref: "#/definitions/Credentials" },
        },
        required: ["host", "credentials"],
        secret_fields: ["headers.*", "credentials.token"],
        block_type_slug: "probe-service",
        block_schema_references: {
          credentials: {
            block_type_slug: "probe-credentials",
            block_schema_checksum: child.schema.checksum,
          },
        },
      });
      const creds = await ok("POST", "/block_documents/", {
        name: "creds",
        data: { user: "ana", token: SECRET_VALUE },
        block_schema_id: child.schema.id,
        block_type_id: child.type.id,
      });
      const service = await ok("POST", "/block_documents/", {
        name: "svc",
        data: {
          host: "db.internal",
          headers: { authorization: `Bearer ${SECRET_VALUE}`, nested: { x: SECRET_VALUE } },
          credentials: { $ref: { block_document_id: creds.id } },
        },
        block_schema_id: parent.schema.id,
        block_type_id: parent.type.id,
      });
      assert.deepEqual(service.data, {
        host: "db.internal",
        headers: { authorization: "********", nested: { x: "********" } },
        credentials: { user: "ana", token: "********" },
      });
      assert.equal(service.block_document_references.credentials.block_document.id, creds.id);
      assert.equal(service.block_document_references.credentials.block_document.name, "creds");
      const full = await ok("GET", `/block_documents/${service.id}?include_secrets=true`);
      assert.equal(full.data.credentials.token, SECRET_VALUE);
      assert.equal(full.data.headers.authorization, `Bearer ${SECRET_VALUE}`);

      // what a caller read (masked) sent back does not overwrite the secrets
      const read = await ok("GET", `/block_documents/${service.id}`);
      assert.equal(
        (
          await call("PATCH", `/block_documents/${service.id}`, {
            data: {
              ...read.data,
              host: "db2",
              credentials: { $ref: { block_document_id: creds.id } },
            },
          })
        ).status,
        204,
      );
      const after = await ok("GET", `/block_documents/${service.id}?include_secrets=true`);
      assert.equal(after.data.host, "db2");
      assert.equal(after.data.headers.authorization, `Bearer ${SECRET_VALUE}`);
      assert.equal(after.data.credentials.token, SECRET_VALUE);

      // deleting the nested document leaves the parent without it
      assert.equal((await call("DELETE", `/block_documents/${creds.id}`)).status, 204);
      const orphan = await ok("GET", `/block_documents/${service.id}`);
      assert.deepEqual(orphan.block_document_references, {});
      assert.equal(orphan.data.credentials, undefined);
    });

    it("refuses a taken name (409), data that does not hold to the schema (422 naming the field), without echoing a secret", async () => {
      const { type, schema } = await registerType("probe-warehouse", {
        title: "Warehouse",
        type: "object",
        properties: {
          host: { title: "Host", type: "string" },
          port: { title: "Port", type: "integer", default: 5432 },
          password: { title: "Password", type: "string", format: "password", writeOnly: true },
        },
        required: ["host", "password"],
        secret_fields: ["password"],
        block_type_slug: "probe-warehouse",
        block_schema_references: {},
      });
      const body = (data: Json, name = "prod") => ({
        name,
        data,
        block_schema_id: schema.id,
        block_type_id: type.id,
      });
      await ok("POST", "/block_documents/", body({ host: "db", password: SECRET_VALUE }));
      const rows = await ok("POST", "/block_documents/count", {});
      assert.deepEqual(
        await call("POST", "/block_documents/", body({ host: "db", password: "x" })),
        {
          status: 409,
          body: { detail: "Block already exists" },
          text: '{"detail":"Block already exists"}',
        },
      );
      const badPort = await call(
        "POST",
        "/block_documents/",
        body({ host: "db", port: "five", password: SECRET_VALUE }, "p2"),
      );
      assert.equal(badPort.status, 422);
      assert.equal(
        badPort.body.detail,
        "Validation failed for field 'port'. Failure reason: 'five' is not of type 'integer'",
      );
      const badSecret = await call(
        "POST",
        "/block_documents/",
        body({ host: "db", password: 12345 }, "p3"),
      );
      assert.equal(badSecret.status, 422);
      assert.match(badSecret.body.detail, /field 'password'/);
      assert.ok(!badSecret.text.includes("12345"), badSecret.text);
      const missing = await call("POST", "/block_documents/", body({ host: "db" }, "p4"));
      assert.equal(
        missing.body.detail,
        "Validation failed for field 'password'. Failure reason: 'password' is a required property",
      );
      // a request the edge refuses (bad name) echoes the body with its data masked
      const badName = await call(
        "POST",
        "/block_documents/",
        body({ host: "db", password: SECRET_VALUE }, "a/b"),
      );
      assert.equal(badName.status, 422);
      assert.equal(badName.body.exception_message, "Invalid request received.");
      assert.ok(!badName.text.includes(SECRET_VALUE), badName.text);
      const badUpdate = await call(
        "PATCH",
        `/block_documents/${(await ok("POST", "/block_documents/filter", { block_documents: { name: { any_: ["prod"] } } }))[0].id}`,
        {
          data: { port: -1.5 },
        },
      );
      assert.equal(badUpdate.status, 422);
      assert.match(badUpdate.body.detail, /field 'port'/);
      assert.equal(await ok("POST", "/block_documents/count", {}), rows, "nothing half-written");
    });

    it("protects the system types, and answers bad input in Prefect's shape", async () => {
      const secret = await ok("GET", "/block_types/slug/secret");
      assert.deepEqual((await call("DELETE", `/block_types/${secret.id}`)).body, {
        detail: "protected block types cannot be deleted.",
      });
      const update = await call("PATCH", `/block_types/${secret.id}`, { description: "mine" });
      assert.deepEqual(
        [update.status, update.body],
        [403, { detail: "protected block types cannot be updated." }],
      );
      // the same values are no change
      assert.equal(
        (await call("PATCH", `/block_types/${secret.id}`, { description: SECRET_TYPE.description }))
          .status,
        204,
      );
      const schema = await ok("GET", `/block_schemas/checksum/${SECRET_SCHEMA.checksum}`);
      assert.equal((await call("DELETE", `/block_schemas/${schema.id}`)).status, 403);
      assert.deepEqual(
        (await call("POST", "/block_types/", { name: "Prefect Thing", slug: "p-thing" })).body,
        {
          detail: "Block type names beginning with 'Prefect' are reserved.",
        },
      );
      const dup = await call("POST", "/block_types/", { name: "Secret", slug: "secret" });
      assert.deepEqual(
        [dup.status, dup.body],
        [409, { detail: 'Block type with name "Secret" already exists' }],
      );
      assert.deepEqual((await call("GET", "/block_types/slug/nope")).body, {
        detail: "Block type not found",
      });
      assert.equal((await call("GET", "/block_types/slug/nope/block_documents")).status, 404);
      assert.deepEqual(
        (await call("GET", "/block_types/slug/secret/block_documents/name/nope")).body,
        {
          detail: "Block document not found",
        },
      );
      assert.equal((await call("POST", "/block_documents/", { name: "x", data: {} })).status, 422);
      assert.equal(
        (
          await call("POST", "/block_documents/", {
            name: "x",
            data: {},
            block_schema_id: "00000000-0000-4000-8000-000000000000",
            block_type_id: secret.id,
          })
        ).status,
        404,
      );
      assert.equal(
        (await call("GET", `/block_documents/00000000-0000-4000-8000-000000000000`)).status,
        404,
      );
      assert.equal(
        (await call("DELETE", `/block_documents/00000000-0000-4000-8000-000000000000`)).status,
        404,
      );
      assert.equal((await call("POST", "/block_documents/filter", { limit: -1 })).status, 422);
      assert.equal(
        (
          await call("POST", "/block_schemas/", {
            fields: {},
            block_type_id: "00000000-0000-4000-8000-000000000000",
          })
        ).status,
        404,
      );
      // a type of the client's can be deleted, with its schemas and documents
      const { type } = await registerType("probe-gone", {
        title: "Gone",
        type: "object",
        properties: {},
      });
      assert.equal((await call("DELETE", `/block_types/${type.id}`)).status, 204);
      assert.equal((await call("GET", `/block_types/${type.id}`)).status, 404);
    });

    it("computes each system schema's checksum as it is stored", async () => {
      for (const block of SYSTEM_BLOCKS) {
        const checksum = blockSchemaChecksum(block.fields);
        const found = await ok(
          "GET",
          `/block_schemas/checksum/${checksum}?version=${block.version}`,
        );
        assert.equal(found.block_type.slug, block.type.slug);
        assert.equal(blockSchemaChecksum(found.fields), checksum);
      }
    });
  });
}
