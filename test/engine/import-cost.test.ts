/**
 * What importing the SDK loads: every process that runs a flow (a CLI command, a serving process,
 * a worker's flow run) pays for it at start. Schema validation (zod) and database drivers are
 * loaded when something needs them, not with the package.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";

describe("importing prefect-ts", () => {
  it("loads neither zod nor a database driver nor the HTTP server", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/import-sdk.mjs"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 0, err);
    const loaded = err.split("\n").filter((l) => l.startsWith("LOADED "));
    assert.ok(
      loaded.some((l) => l.includes("/src/index.ts")),
      err.slice(0, 500),
    );
    for (const heavy of [
      "/node_modules/zod/",
      "/node_modules/pg/",
      "/node_modules/better-sqlite3/",
      "/node_modules/kysely/",
      "/node_modules/fastify/",
    ]) {
      assert.deepEqual(
        loaded.filter((l) => l.includes(heavy)),
        [],
        `${heavy} is loaded by importing the SDK`,
      );
    }
  });
});
