/**
 * The variables page (`/variables`) in Debian's Chromium against a real server, on SQLite and
 * PostgreSQL: variables created through its dialog — a value that is not JSON refused in the
 * browser, a bad name and a value over the size limit refused by the server (422) and a name
 * taken (409), each shown next to its field —, listed with their JSON values and tags, found by
 * name, sorted, edited (value, tags, name) and deleted; each change checked through the API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "../helpers/browser.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { consoleError, text, uiHarness } from "./ui-harness.ts";

interface Variable {
  name: string;
  value: unknown;
  tags: string[];
}

for (const dialect of DIALECTS) {
  describe(`the variables page in Chromium (${dialect})`, () => {
    const ui = uiHarness(dialect, { acceptDialogs: true });
    const { call, problemsSeen } = ui;

    const read = (name: string) => call<Variable>("GET", `/variables/name/${name}`);

    it("creates, finds, sorts, edits and deletes variables, showing what is refused next to its field", async () => {
      const { page } = ui;
      await page.goto(`${ui.base}/variables`);
      await page.getByRole("heading", { level: 1, name: "Variables" }).waitFor();
      await page.getByRole("heading", { name: "No variables yet" }).waitFor();
      await page.getByText("npx prefect-ts variable set threshold 12").waitFor();
      await page.locator(".sidebar").getByRole("link", { name: "Variables" }).waitFor();

      await page.getByRole("button", { name: "New variable" }).click();
      const dialog = page.getByRole("dialog", { name: "New variable" });
      await dialog.waitFor();
      const field = (label: string) => dialog.locator(".form-field", { hasText: label });

      // not JSON: refused before sending
      await dialog.getByLabel("Name").fill("threshold");
      await dialog.getByLabel("Value").fill("twelve");
      await dialog.getByRole("button", { name: "Create" }).click();
      await field("Value")
        .getByText(/Not JSON/)
        .waitFor();
      assert.deepEqual(problemsSeen(), []);

      // a name the server refuses: its 422 under the name
      await dialog.getByLabel("Name").fill("Bad Name!");
      await dialog.getByLabel("Value").fill("12");
      await dialog.getByRole("button", { name: "Create" }).click();
      await field("Name").locator(".field-error").waitFor();
      assert.match(
        await text(field("Name").locator(".field-error")),
        /Variable name must only contain lowercase letters, numbers, and dashes or underscores/,
      );
      assert.equal(await dialog.getByLabel("Name").getAttribute("aria-invalid"), "true");
      assert.deepEqual(problemsSeen(), [
        "422: POST /api/variables/",
        consoleError(422, "Unprocessable Entity"),
      ]);

      // a value over the size limit: its 422 under the value
      await dialog.getByLabel("Name").fill("threshold");
      await dialog.getByLabel("Value").fill(JSON.stringify("x".repeat(5_001)));
      await dialog.getByRole("button", { name: "Create" }).click();
      await field("Value").locator(".field-error").waitFor();
      assert.equal(await field("Name").locator(".field-error").count(), 0);
      assert.match(
        await text(field("Value").locator(".field-error")),
        /5000|5,000|too long|limit/i,
      );
      assert.deepEqual(problemsSeen(), [
        "422: POST /api/variables/",
        consoleError(422, "Unprocessable Entity"),
      ]);
      await screenshot(page, `variable-refused-${dialect}`);
      await call("GET", "/variables/name/threshold", undefined, 404);

      await dialog.getByLabel("Value").fill("12");
      await dialog.getByLabel("Tags").fill("prod, etl");
      await dialog.getByRole("button", { name: "Create" }).click();
      await dialog.waitFor({ state: "detached" });
      const threshold = page.locator('tr[data-variable="threshold"]');
      await threshold.waitFor();
      assert.match(await text(threshold), /12/);
      assert.deepEqual(await threshold.locator(".tag").allTextContents(), ["prod", "etl"]);
      const created = await read("threshold");
      assert.equal(created.value, 12);
      assert.deepEqual(created.tags, ["prod", "etl"]);

      // the same name again: the server's 409 under the name
      await page.getByRole("button", { name: "New variable" }).click();
      await dialog.getByLabel("Name").fill("threshold");
      await dialog.getByLabel("Value").fill("1");
      await dialog.getByRole("button", { name: "Create" }).click();
      await field("Name")
        .getByText("A variable with the name 'threshold' already exists.")
        .waitFor();
      assert.deepEqual(problemsSeen(), [
        "409: POST /api/variables/",
        consoleError(409, "Conflict"),
      ]);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });

      // an object and a string
      for (const [name, value] of [
        ["config", '{"region": "eu", "retries": 3}'],
        ["greeting", '"hello"'],
      ] as const) {
        await page.getByRole("button", { name: "New variable" }).click();
        await dialog.getByLabel("Name").fill(name);
        await dialog.getByLabel("Value").fill(value);
        await dialog.getByRole("button", { name: "Create" }).click();
        await dialog.waitFor({ state: "detached" });
        await page.locator(`tr[data-variable="${name}"]`).waitFor();
      }
      assert.deepEqual((await read("config")).value, { region: "eu", retries: 3 });
      assert.equal((await read("greeting")).value, "hello");
      assert.match(
        await text(page.locator('tr[data-variable="config"]')),
        /\{"region":"eu","retries":3\}/,
      );
      assert.match(await text(page.locator('tr[data-variable="greeting"]')), /"hello"/);
      await page.getByText("3 variables").waitFor();
      await screenshot(page, `variables-list-${dialect}`);

      // sorted by name, both ways
      const names = () =>
        page
          .locator("tr[data-variable]")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-variable")));
      assert.deepEqual(await names(), ["config", "greeting", "threshold"]);
      await page.getByLabel("Sort variables").selectOption({ label: "Z to A" });
      await page.waitForURL(/sort=NAME_DESC/);
      await page.waitForFunction(
        'document.querySelector("tr[data-variable]")?.getAttribute("data-variable") === "threshold"',
      );
      assert.deepEqual(await names(), ["threshold", "greeting", "config"]);

      // found by name
      await page.getByLabel("Search variables by name").fill("thr");
      await page.getByLabel("Search variables by name").press("Enter");
      await page.locator('tr[data-variable="config"]').waitFor({ state: "detached" });
      assert.deepEqual(await names(), ["threshold"]);
      await page.getByLabel("Search variables by name").fill("");
      await page.getByLabel("Search variables by name").press("Enter");
      await page.locator('tr[data-variable="config"]').waitFor();

      // edited: value, tags, then the name
      await threshold.getByRole("button", { name: "Edit threshold" }).click();
      const edit = page.getByRole("dialog", { name: "Edit threshold" });
      assert.equal(await edit.getByLabel("Value").inputValue(), "12");
      assert.equal(await edit.getByLabel("Tags").inputValue(), "prod, etl");
      await edit.getByLabel("Value").fill("15");
      await edit.getByLabel("Tags").fill("prod");
      await edit.getByRole("button", { name: "Save" }).click();
      await edit.waitFor({ state: "detached" });
      await threshold.getByText("15").waitFor();
      const edited = await read("threshold");
      assert.equal(edited.value, 15);
      assert.deepEqual(edited.tags, ["prod"]);

      await threshold.getByRole("button", { name: "Edit threshold" }).click();
      await edit.getByLabel("Name").fill("limit");
      await edit.getByRole("button", { name: "Save" }).click();
      await edit.waitFor({ state: "detached" });
      await page.locator('tr[data-variable="limit"]').waitFor();
      assert.equal((await read("limit")).value, 15);
      await call("GET", "/variables/name/threshold", undefined, 404);

      // deleted
      await page
        .locator('tr[data-variable="greeting"]')
        .getByRole("button", { name: "Delete greeting" })
        .click();
      await page.locator('tr[data-variable="greeting"]').waitFor({ state: "detached" });
      await call("GET", "/variables/name/greeting", undefined, 404);
      await page.getByText("2 variables").waitFor();
      assert.deepEqual(problemsSeen(), []);
    });
  });
}
