/**
 * The blocks SDK on both databases, embedded and against a real server on an ephemeral port:
 * `Block.define` with `Secret.field()`, save / load / delete, `Block.load("slug/name")`, a taken
 * name refused with the way out (`overwrite: true`), nested blocks by reference, the built-in
 * classes with Prefect's checksums, `LocalFileSystem` as a result storage; a block saved in one
 * process loads with its secret in another, and the secret reaches neither the API's reads, nor
 * the process's output, nor the run's logs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ConflictError } from "../../src/core/errors.ts";
import {
  Block,
  CustomWebhookNotificationBlock,
  JSONBlock,
  LocalFileSystem,
  Secret,
  SecretValue,
  SlackWebhook,
  StringBlock,
  Webhook,
} from "../../src/index.ts";
import { createApp } from "../../src/server/app.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

const TRANSCRIPT = join(
  import.meta.dirname,
  "../../../shared/prefect-wire-transcripts/more/variables-blocks-artifacts.jsonl",
);
const SECRET_CHECKSUM: string = readFileSync(TRANSCRIPT, "utf8")
  .split("\n")
  .filter((l) => l.includes("/api/block_schemas/checksum/"))
  .map((l) => JSON.parse(l).res.checksum)[0];

const PASSWORD = "pa55-sdk-test-7";

class Credentials extends Block.define(
  "sdk-credentials",
  z.object({ user: z.string(), token: Secret.field() }),
) {}
class Warehouse extends Block.define(
  "sdk-warehouse",
  z.object({
    host: z.string().describe("Where the warehouse is"),
    port: z.number().int().default(5432),
    password: Secret.field(),
  }),
  { description: "A warehouse", capabilities: ["query"] },
) {}
class Service extends Block.define(
  "sdk-service",
  z.object({ name: z.string(), credentials: Credentials.ref() }),
) {}

function run(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/blocks-process.ts", ...args],
    {
      env: { ...process.env, ...env },
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
  return once(child, "exit").then(([code]) => {
    assert.equal(code, 0, `${args.join(" ")} exited ${code}: ${err}`);
    return { out, err, last: JSON.parse(out.trim().split("\n").pop() ?? "null") };
  });
}

for (const dialect of DIALECTS) {
  describe(`blocks SDK, embedded (${dialect})`, () => {
    let h: SdkHarness;
    before(async () => {
      h = await sdkHarness(dialect);
    });
    after(async () => {
      await h.close();
    });

    it("saves and loads a block, its secret a SecretValue masked wherever it shows", async () => {
      const wh = new Warehouse({ host: "db", password: PASSWORD });
      assert.ok(wh.password instanceof SecretValue);
      assert.equal(wh.port, 5432);
      const id = await wh.save("prod");
      assert.equal(wh.blockDocumentId, id);
      const loaded = await Warehouse.load("prod");
      assert.ok(loaded instanceof Warehouse);
      assert.equal(loaded.host, "db");
      assert.equal(loaded.password.get(), PASSWORD);
      for (const shown of [
        `${loaded.password}`,
        String(loaded),
        JSON.stringify(loaded),
        inspect(loaded, { depth: 5 }),
        inspect(loaded.password),
      ]) {
        assert.ok(!shown.includes(PASSWORD), shown);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(loaded)), {
        host: "db",
        port: 5432,
        password: "********",
      });
      const any = (await Block.load("sdk-warehouse/prod")) as Block & { password: SecretValue };
      assert.equal(any.password.get(), PASSWORD);
      // the API's own reads stay masked
      const read = await h.client.blocks.readBlockDocumentByName("sdk-warehouse", "prod");
      assert.deepEqual(read.data, { host: "db", port: 5432, password: "********" });
      assert.deepEqual(read.block_schema.capabilities, ["query"]);
      assert.deepEqual(read.block_schema.fields.secret_fields, ["password"]);
      assert.equal(read.block_schema.checksum, Warehouse.blockSchemaChecksum());
    });

    it("refuses a taken name with the way out, and overwrites when asked", async () => {
      const again = new Warehouse({ host: "db2", password: "other" });
      await assert.rejects(again.save("prod"), (error: unknown) => {
        assert.ok(error instanceof ConflictError);
        assert.match(error.message, /already exists.*save\("prod", \{ overwrite: true \}\)/);
        assert.ok(!error.message.includes("other"));
        return true;
      });
      await again.save("prod", { overwrite: true });
      const loaded = await Warehouse.load("prod");
      assert.equal(loaded.host, "db2");
      assert.equal(loaded.password.get(), "other");
      assert.throws(() => new Warehouse({ host: 5 } as never), /'sdk-warehouse': host/);
      await Warehouse.delete("prod");
      await assert.rejects(Warehouse.load("prod"), /Unable to find block document named prod/);
    });

    it("nests a saved block by reference and loads it back", async () => {
      const creds = new Credentials({ user: "ana", token: PASSWORD });
      await creds.save("ana");
      await new Service({ name: "svc", credentials: creds }).save("svc");
      const doc = await h.client.blocks.readBlockDocumentByName("sdk-service", "svc");
      assert.deepEqual(doc.data, { name: "svc", credentials: { user: "ana", token: "********" } });
      assert.equal(
        doc.block_document_references.credentials?.block_document.id,
        creds.blockDocumentId,
      );
      assert.deepEqual(doc.block_schema.fields.secret_fields, ["credentials.token"]);
      const svc = await Service.load("svc");
      assert.ok(svc.credentials instanceof Credentials);
      assert.equal(svc.credentials.token.get(), PASSWORD);
      assert.equal(svc.credentials.blockDocumentId, creds.blockDocumentId);
    });

    it("has the built-in blocks, with Prefect's schemas and checksums", async () => {
      assert.equal(Secret.blockSchemaChecksum(), SECRET_CHECKSUM);
      await new Secret({ value: PASSWORD }).save("api-key");
      const secret = await Secret.load("api-key");
      assert.equal(secret.get(), PASSWORD);
      await new Secret({ value: { user: "u", pass: PASSWORD } }).save("json-secret");
      assert.deepEqual((await Secret.load("json-secret")).get(), { user: "u", pass: PASSWORD });
      await new JSONBlock({ value: { k: [1, 2] } }).save("j");
      assert.deepEqual((await JSONBlock.load("j")).value, { k: [1, 2] });
      await new StringBlock({ value: "s" }).save("s");
      assert.equal((await StringBlock.load("s")).value, "s");
      await new SlackWebhook({ url: "https://hooks.slack.com/X" }).save("slack");
      assert.equal((await SlackWebhook.load("slack")).url.get(), "https://hooks.slack.com/X");
      await new Webhook({ url: "https://example.com/hook", headers: { auth: PASSWORD } }).save(
        "hook",
      );
      const hook = await Webhook.load("hook");
      assert.equal(hook.headers.get().auth, PASSWORD);
      const doc = await h.client.blocks.readBlockDocumentByName("webhook", "hook");
      assert.deepEqual(doc.data.headers, { auth: "********" });
      await new CustomWebhookNotificationBlock({
        name: "n",
        url: "https://x",
        secrets: { t: PASSWORD },
      }).save("c");
      assert.equal((await CustomWebhookNotificationBlock.load("c")).secrets.get().t, PASSWORD);
      // the built-ins register no schema beyond the server's own
      const schemas = await h.client.blocks.listBlockSchemas({
        block_schemas: { block_type_id: { any_: [doc.block_type_id] } },
      });
      assert.equal(schemas.length, 1);
    });

    it("saves a LocalFileSystem block and uses it as result storage", async () => {
      const dir = join(h.db.home, "lfs");
      await new LocalFileSystem({ basepath: dir }).save("results");
      const storage = await LocalFileSystem.load("results");
      assert.equal(storage.basepath, dir);
      assert.ok(storage.blockId);
      await storage.write("a.txt", Buffer.from("x"));
      assert.equal((await storage.read("a.txt"))?.toString(), "x");
    });
  });

  describe(`blocks SDK across processes, against a server (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let env: Record<string, string>;
    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({ PREFECT_HOME: tdb.home });
      app = await createApp({ database: tdb.database, settings });
      const base = await app.listen({ port: 0, host: "127.0.0.1" });
      env = { PREFECT_API_URL: `${base}/api`, PREFECT_HOME: tdb.home };
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("loads in one process the secret another saved, and shows it nowhere else", async () => {
      assert.deepEqual((await run(["save", PASSWORD], env)).last, { saved: true });
      assert.deepEqual((await run(["load"], env)).last, { host: "db.internal", secret: PASSWORD });
      const logged = await run(["log"], env);
      assert.deepEqual(logged.last, { logged: true });
      assert.ok(
        !logged.out.includes(PASSWORD) && !logged.err.includes(PASSWORD),
        logged.out + logged.err,
      );
      assert.ok(logged.out.includes("********"));
      const api = env.PREFECT_API_URL;
      for (const body of [{}, { include_secrets: false }]) {
        const res = await fetch(`${api}/block_documents/filter`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        assert.ok(text.includes("db.internal") && !text.includes(PASSWORD), text);
      }
      const logs = await fetch(`${api}/logs/filter`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      const text = await logs.text();
      assert.ok(text.includes("loaded") && !text.includes(PASSWORD), text);
    });
  });
}
