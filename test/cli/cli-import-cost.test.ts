/**
 * What a command line loads: every `prefect-ts` invocation pays for it. Commands are registered
 * with their names, options and help; what each does (prefect.yaml's parser and schemas, the
 * database, the server, the recorders' schemas, the schedules' cron and RRule libraries) is loaded
 * when it runs and needs it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const home = mkdtempSync(join(tmpdir(), "prefect-ts-cli-import-"));
after(() => rmSync(home, { recursive: true, force: true }));

/** The modules `prefect-ts <args>` loads (embedded, on a SQLite file of its own), and its output. */
async function loadedBy(args: string[]): Promise<{ loaded: string[]; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PREFECT_HOME: home };
  for (const key of Object.keys(env)) {
    if (key.startsWith("PREFECT_") && key !== "PREFECT_HOME") delete env[key];
  }
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/cli-with-hook.mjs", ...args],
    { stdio: ["ignore", "pipe", "pipe"], env },
  );
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
  const loaded = err.split("\n").filter((l) => l.startsWith("LOADED "));
  assert.ok(
    loaded.some((l) => l.includes("/src/cli/main.ts")),
    err.slice(0, 500),
  );
  return { loaded, out };
}

function assertNotLoaded(loaded: string[], heavy: readonly string[], what: string): void {
  for (const name of heavy) {
    assert.deepEqual(
      loaded.filter((l) => l.includes(`/node_modules/${name}/`)),
      [],
      `${name} is loaded by ${what}`,
    );
  }
}

describe("what a prefect-ts command loads", () => {
  it("--version: neither zod nor kysely nor fastify nor croner nor rrule nor yaml", async () => {
    const { loaded, out } = await loadedBy(["--version"]);
    assert.match(out, /^\d+\.\d+\.\d+/);
    const heavy = ["zod", "kysely", "fastify", "fastify-type-provider-zod", "croner", "rrule"];
    assertNotLoaded(loaded, [...heavy, "yaml", "better-sqlite3", "pg"], "prefect-ts --version");
  });

  it("deployment ls and flow-run ls on the embedded client: the database, not the server's schemas nor the schedules' libraries", async () => {
    // the first command creates the database; the next ones are what is measured
    await loadedBy(["deployment", "ls"]);
    for (const args of [
      ["deployment", "ls"],
      ["flow-run", "ls"],
    ]) {
      const { loaded } = await loadedBy(args);
      assert.ok(
        loaded.some((l) => l.includes("/node_modules/kysely/")),
        "the command reads the database",
      );
      const heavy = ["zod", "fastify", "fastify-type-provider-zod", "croner", "rrule", "yaml"];
      assertNotLoaded(loaded, heavy, `prefect-ts ${args.join(" ")}`);
    }
  });
});
