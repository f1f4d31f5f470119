/**
 * The block pages (`/blocks`, `/blocks/catalog`, `/blocks/catalog/{slug}[/create]`,
 * `/blocks/block/{id}[/edit]`) in Debian's Chromium against a real server, on SQLite and
 * PostgreSQL: a custom block type registered through the API (as `Block.registerType` does: a
 * secret field, a nested block, numbers, an enum, a switch, JSON) is in the catalog with its
 * fields; a block is made through the form generated from its schema — a missing name refused in
 * the browser, a bad name and a value the server refuses shown next to their fields, a name taken
 * (409) next to the name —, shown with its secret masked, edited (the secret kept, then changed)
 * and deleted. The secret is checked never to reach the browser: not in any page, not in any API
 * answer the page received, and `include_secrets` is never asked for.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { consoleError, text, uiHarness } from "./ui-harness.ts";

interface BlockType {
  id: string;
  slug: string;
}
interface BlockSchema {
  id: string;
  checksum: string;
}
interface BlockDocument {
  id: string;
  name: string;
  data: Record<string, unknown>;
  block_document_references: Record<string, { block_document?: { id: string } }>;
}

const SECRET = "s3cr3t-VALUE-9f1c";
const NEW_SECRET = "n3w-S3CRET-77ab";
const TOKEN = "t0ken-CREDS-41e2";

/** A 1×1 PNG: what the built-in types' logos (Prefect's CDN, out of reach here) are answered with. */
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

/** The nested block's schema (its own type, `credentials`). */
const CREDENTIALS_FIELDS = {
  title: "Credentials",
  type: "object",
  properties: {
    user: { title: "User", type: "string", position: 0 },
    token: { title: "Token", type: "string", format: "password", writeOnly: true, position: 1 },
  },
  required: ["user", "token"],
  block_type_slug: "credentials",
  secret_fields: ["token"],
  block_schema_references: {},
};

/** The warehouse's schema, as `Block.define` writes one (with the nested block's checksum). */
const warehouseFields = (credentialsChecksum: string) => ({
  title: "Warehouse",
  description: "A data warehouse",
  type: "object",
  properties: {
    host: { title: "Host", type: "string", description: "Where it listens", position: 0 },
    port: { title: "Port", type: "integer", default: 5432, minimum: 1, position: 1 },
    password: {
      title: "Password",
      type: "string",
      format: "password",
      writeOnly: true,
      position: 2,
    },
    mode: { title: "Mode", type: "string", enum: ["ro", "rw"], default: "ro", position: 3 },
    ssl: { title: "Ssl", type: "boolean", default: false, position: 4 },
    // a rule the form leaves to the server
    replicas: { title: "Replicas", type: "integer", multipleOf: 2, default: 2, position: 5 },
    options: {
      title: "Options",
      type: "object",
      additionalProperties: { type: "string" },
      position: 6,
    },
    creds: { $ref: "#/definitions/Credentials", position: 7 },
  },
  required: ["host", "password", "creds"],
  block_type_slug: "warehouse",
  secret_fields: ["password", "creds.token"],
  block_schema_references: {
    creds: { block_type_slug: "credentials", block_schema_checksum: credentialsChecksum },
  },
  definitions: { Credentials: CREDENTIALS_FIELDS },
});

for (const dialect of DIALECTS) {
  describe(`the block pages in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect, { acceptDialogs: true });
    const { call, problemsSeen } = ui;
    /** Every API answer and request URL the page saw. */
    const answers: string[] = [];
    const requested: string[] = [];

    /** The page holds no secret: not in its HTML, nor in anything the API sent it. */
    async function assertNoSecretShown(): Promise<void> {
      const html = await ui.page.content();
      for (const secret of [SECRET, NEW_SECRET, TOKEN]) {
        assert.ok(!html.includes(secret), `the page shows the secret ${secret}`);
        assert.ok(
          !answers.some((a) => a.includes(secret)),
          `an API answer carried the secret ${secret}`,
        );
      }
      assert.deepEqual(
        requested.filter((u) => /include_secrets/.test(u)),
        [],
        "the UI asked for secrets",
      );
    }

    const readSecrets = (id: string) =>
      call<BlockDocument>("GET", `/block_documents/${id}?include_secrets=true`);

    before(async () => {
      await ui.page.route(/^https:\/\/cdn\.sanity\.io\//, (route) =>
        route.fulfill({ status: 200, contentType: "image/png", body: PIXEL }),
      );
      ui.page.on("request", (r) => requested.push(r.url()));
      ui.page.on("response", (r) => {
        if (!r.url().startsWith(`${ui.base}/api/`)) return;
        r.text().then(
          (body) => answers.push(body),
          () => undefined, // a body that went with its page
        );
      });

      // the types, as Block.registerType registers them
      const credentials = await call<BlockType>(
        "POST",
        "/block_types/",
        { name: "Credentials", slug: "credentials", description: "A user and a token" },
        201,
      );
      const credentialsSchema = await call<BlockSchema>(
        "POST",
        "/block_schemas/",
        {
          block_type_id: credentials.id,
          fields: CREDENTIALS_FIELDS,
          capabilities: [],
          version: "1.0.0",
        },
        201,
      );
      const warehouse = await call<BlockType>(
        "POST",
        "/block_types/",
        {
          name: "Warehouse",
          slug: "warehouse",
          description: "A **data** warehouse: where the reports come from.",
          code_example: '```ts\nconst wh = await Warehouse.load("prod");\n```',
        },
        201,
      );
      await call(
        "POST",
        "/block_schemas/",
        {
          block_type_id: warehouse.id,
          fields: warehouseFields(credentialsSchema.checksum),
          capabilities: ["read"],
          version: "1.0.0",
        },
        201,
      );
      await call(
        "POST",
        "/block_documents/",
        {
          name: "main",
          data: { user: "etl", token: TOKEN },
          block_schema_id: credentialsSchema.id,
          block_type_id: credentials.id,
        },
        201,
      );
    });

    it("creates a block of a registered type through its form, shows it masked, edits and deletes it", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/blocks`);
      await page.getByRole("heading", { level: 1, name: "Blocks" }).waitFor();
      await page.locator('tr[data-block="credentials/main"]').waitFor();
      await page.locator(".sidebar").getByRole("link", { name: "Blocks" }).waitFor();
      const nav = await page.locator(".sidebar nav a").allTextContents();
      const order = ["Work Pools", "Blocks", "Variables", "Concurrency", "Artifacts"].map((label) =>
        nav.findIndex((n) => n.includes(label)),
      );
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
        `nav order: ${nav.join(", ")}`,
      );

      // the catalog: the registered type among the built-in ones, found by name
      await page.getByRole("link", { name: "Add block" }).click();
      await page.waitForURL("**/blocks/catalog");
      await page.locator('[data-block-type="secret"]').waitFor();
      await page.locator('[data-block-type="warehouse"]').waitFor();
      await page.getByLabel("Search block types").fill("ware");
      await page.locator('[data-block-type="secret"]').waitFor({ state: "detached" });
      assert.equal(await page.locator(".block-type-card").count(), 1);
      await screenshot(page, `blocks-catalog-${dialect}`);

      // the type's page: its description rendered, its fields with the secret and the nested block
      await page.getByRole("link", { name: "Details of Warehouse" }).click();
      await page.waitForURL("**/blocks/catalog/warehouse");
      await page.getByRole("heading", { level: 1, name: /Warehouse/ }).waitFor();
      await page
        .getByRole("region", { name: "Description" })
        .locator("strong", { hasText: "data" })
        .waitFor();
      const schemaFields = page.getByRole("table", { name: "Schema fields" });
      await schemaFields.locator('tr[data-field="password"]').waitFor();
      assert.match(await text(schemaFields.locator('tr[data-field="password"]')), /secret/);
      assert.match(await text(schemaFields.locator('tr[data-field="port"]')), /5432/);
      assert.match(
        await text(schemaFields.locator('tr[data-field="creds"]')),
        /block: credentials/,
      );
      await screenshot(page, `block-type-${dialect}`);

      // the form, made from the schema
      await page.getByRole("link", { name: "Create", exact: true }).click();
      await page.waitForURL("**/blocks/catalog/warehouse/create");
      const form = page.getByRole("form", { name: "New Warehouse block" });
      await form.getByLabel("Host").waitFor();
      assert.equal(await form.getByLabel("Password").getAttribute("type"), "password");
      assert.equal(await form.getByLabel("Port").inputValue(), "5432");
      assert.equal(await form.getByLabel("Mode").locator("option:checked").textContent(), "ro");
      assert.equal(await form.getByLabel("Ssl").isChecked(), false);
      // the nested block: a choice among the documents of its type
      const creds = form.getByLabel("Creds");
      await creds.locator("option", { hasText: "main" }).waitFor({ state: "attached" });

      // nothing typed: refused in the browser, nothing sent
      await form.getByRole("button", { name: "Create" }).click();
      await form.locator('[data-parameter="host"] .field-error').waitFor();
      assert.match(await text(form.locator(".form-field", { hasText: "Block name" })), /Required/);
      assert.match(await text(form.locator('[data-parameter="password"]')), /Required/);
      assert.match(await text(form.locator('[data-parameter="creds"]')), /choose a block/);
      assert.deepEqual(problemsSeen(), []);

      await form.getByLabel("Host").fill("db.internal");
      await form.getByLabel("Password").fill(SECRET);
      await form.getByLabel("Mode").selectOption({ label: "rw" });
      await form.getByLabel("Ssl").check();
      await form.getByLabel("Options").fill('{"sslmode": "require"}');
      await creds.selectOption({ label: "main" });
      await form.getByLabel("Replicas").fill("3");

      // a name the server refuses (422 naming `name`): shown next to it
      await form.getByLabel("Block name").fill("bad/name");
      await form.getByRole("button", { name: "Create" }).click();
      const nameField = form.locator(".form-field", { hasText: "Block name" });
      await nameField.locator(".field-error").waitFor();
      assert.match(await text(nameField.locator(".field-error")), /pattern/);
      assert.deepEqual(problemsSeen(), [
        "422: POST /api/block_documents/",
        consoleError(422, "Unprocessable Entity"),
      ]);

      // a value only the server checks (multipleOf): its 422 names the field, shown under it
      await form.getByLabel("Block name").fill("prod");
      await form.getByRole("button", { name: "Create" }).click();
      const replicas = form.locator('[data-parameter="replicas"] .field-error');
      await replicas.waitFor();
      assert.match(await text(replicas), /Validation failed for field 'replicas'/);
      assert.equal(await nameField.locator(".field-error").count(), 0);
      assert.deepEqual(problemsSeen(), [
        "422: POST /api/block_documents/",
        consoleError(422, "Unprocessable Entity"),
      ]);
      await screenshot(page, `block-create-refused-${dialect}`);

      await form.getByLabel("Replicas").fill("4");
      await form.getByRole("button", { name: "Create" }).click();
      await page.waitForURL(/\/blocks\/block\/[0-9a-f-]{36}$/);
      const id = page.url().split("/").pop() ?? "";
      await page.getByRole("heading", { level: 1, name: /prod/ }).waitFor();

      // stored as typed (the secret too), the nested block by reference
      const stored = await readSecrets(id);
      assert.equal(stored.name, "prod");
      assert.equal(stored.data.host, "db.internal");
      assert.equal(stored.data.password, SECRET);
      assert.equal(stored.data.port, 5432);
      assert.equal(stored.data.mode, "rw");
      assert.equal(stored.data.ssl, true);
      assert.equal(stored.data.replicas, 4);
      assert.deepEqual(stored.data.options, { sslmode: "require" });
      assert.ok(stored.block_document_references.creds?.block_document?.id);

      // the block's page: the secret masked, the nested block linked
      const values = page.getByRole("region", { name: "Values" });
      await values.locator('[data-field="host"]').getByText("db.internal").waitFor();
      assert.equal(await text(values.locator('[data-field="password"] dd')), "********");
      await values.locator('[data-field="creds"]').getByRole("link", { name: "main" }).waitFor();
      assert.match(await text(page.locator(".page-header")), /warehouse\/prod/);
      await assertNoSecretShown();
      await screenshot(page, `block-details-${dialect}`);

      // the same name again: the server's 409 next to the name
      await page.goto(`${ui.base}/blocks/catalog/warehouse/create`);
      const again = page.getByRole("form", { name: "New Warehouse block" });
      await again.getByLabel("Host").fill("other");
      await again.getByLabel("Password").fill("other-password");
      await again
        .getByLabel("Creds")
        .locator("option", { hasText: "main" })
        .waitFor({ state: "attached" });
      await again.getByLabel("Creds").selectOption({ label: "main" });
      await again.getByLabel("Block name").fill("prod");
      await again.getByRole("button", { name: "Create" }).click();
      const taken = again.locator(".form-field", { hasText: "Block name" }).locator(".field-error");
      await taken.waitFor();
      assert.match(await text(taken), /Block already exists.*another name/);
      assert.deepEqual(problemsSeen(), [
        "409: POST /api/block_documents/",
        consoleError(409, "Conflict"),
      ]);

      // edit: the secret's input starts empty; left so, the stored secret is kept
      await page.goto(`${ui.base}/blocks/block/${id}`);
      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await page.waitForURL(`**/blocks/block/${id}/edit`);
      const edit = page.getByRole("form", { name: "Edit prod" });
      await edit.getByLabel("Host").waitFor();
      assert.equal(await edit.getByLabel("Host").inputValue(), "db.internal");
      assert.equal(await edit.getByLabel("Password").inputValue(), "");
      assert.match((await edit.getByLabel("Password").getAttribute("placeholder")) ?? "", /keep/);
      assert.equal(await edit.getByLabel("Mode").locator("option:checked").textContent(), "rw");
      assert.equal(await edit.getByLabel("Replicas").inputValue(), "4");
      await assertNoSecretShown();
      await edit.getByLabel("Host").fill("db2.internal");
      await edit.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(`**/blocks/block/${id}`);
      await values.locator('[data-field="host"]').getByText("db2.internal").waitFor();
      let after = await readSecrets(id);
      assert.equal(after.data.host, "db2.internal");
      assert.equal(after.data.password, SECRET);
      assert.equal(after.data.replicas, 4);
      assert.ok(after.block_document_references.creds?.block_document?.id);

      // a new secret typed replaces it
      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await edit.getByLabel("Password").fill(NEW_SECRET);
      await edit.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(`**/blocks/block/${id}`);
      await values.locator('[data-field="host"]').waitFor();
      after = await readSecrets(id);
      assert.equal(after.data.password, NEW_SECRET);
      assert.equal(await text(values.locator('[data-field="password"] dd')), "********");
      await assertNoSecretShown();

      // the list: filtered by type and by name, then deleted from it
      await page.goto(`${ui.base}/blocks`);
      const row = page.locator('tr[data-block="warehouse/prod"]');
      await row.waitFor();
      assert.match(await text(row), /Warehouse/);
      await page.getByLabel("Block type").selectOption({ label: "Warehouse" });
      await page.locator('tr[data-block="credentials/main"]').waitFor({ state: "detached" });
      await row.waitFor();
      await page.getByLabel("Search blocks by name").fill("nothing-like-it");
      await page.getByLabel("Search blocks by name").press("Enter");
      await page.getByRole("heading", { name: "No block matches" }).waitFor();
      await page.getByLabel("Search blocks by name").fill("pro");
      await page.getByLabel("Search blocks by name").press("Enter");
      await row.waitFor();
      await screenshot(page, `blocks-list-${dialect}`);
      await row.getByRole("button", { name: "Delete prod" }).click();
      await row.waitFor({ state: "detached" });
      await call("GET", `/block_documents/${id}`, undefined, 404);

      // a block deleted from its own page
      await page.goto(`${ui.base}/blocks`);
      await page
        .locator('tr[data-block="credentials/main"]')
        .getByRole("link", { name: "main" })
        .click();
      await page.getByRole("heading", { level: 1, name: /main/ }).waitFor();
      assert.equal(
        await text(page.getByRole("region", { name: "Values" }).locator('[data-field="token"] dd')),
        "********",
      );
      await assertNoSecretShown();
      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL("**/blocks");
      await page.getByRole("heading", { name: "No blocks yet" }).waitFor();
      assert.deepEqual(problemsSeen(), []);
      await assertNoSecretShown();
    });
  });
}
