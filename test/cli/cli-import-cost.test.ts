/**
 * What a command line loads before it runs its command: every `prefect-ts` invocation pays for
 * it. Commands are registered with their names, options and help; what each does (prefect.yaml's
 * parser and schemas, the database, the server, the schedules' cron and RRule libraries) is loaded
 * when it runs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";

describe("prefect-ts --version", () => {
  it("loads neither zod nor kysely nor fastify nor croner nor rrule", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/cli-version.mjs"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PREFECT_API_URL: "" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 0, err);
    assert.match(out, /^\d+\.\d+\.\d+/);
    const loaded = err.split("\n").filter((l) => l.startsWith("LOADED "));
    assert.ok(
      loaded.some((l) => l.includes("/src/cli/main.ts")),
      err.slice(0, 500),
    );
    for (const heavy of [
      "/node_modules/zod/",
      "/node_modules/kysely/",
      "/node_modules/fastify/",
      "/node_modules/fastify-type-provider-zod/",
      "/node_modules/croner/",
      "/node_modules/rrule/",
      "/node_modules/yaml/",
    ]) {
      assert.deepEqual(
        loaded.filter((l) => l.includes(heavy)),
        [],
        `${heavy} is loaded by prefect-ts --version`,
      );
    }
  });
});
