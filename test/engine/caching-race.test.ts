import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

describe("SERIALIZABLE: two processes racing on one key run the body once", () => {
  for (const kind of ["file", "redis"] as const) {
    it(`with the ${kind} lock manager`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "prefect-ts-race-"));
      const home = join(dir, "home");
      mkdirSync(home);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PREFECT_HOME: home,
        PREFECT_LOCAL_STORAGE_PATH: join(dir, "storage"),
      };
      delete env.PREFECT_API_URL;
      delete env.PREFECT_API_DATABASE_CONNECTION_URL;
      const namespace = `prefect-ts-race:${Date.now()}:${Math.random()}:`;
      const start = () => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "test/fixtures/caching-race.ts", kind, dir, namespace],
          { env, stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
        });
        return once(child, "exit").then(([code]) => ({ code, out }));
      };
      try {
        await raceTwoProcesses(start);
        assert.equal(readFileSync(join(dir, "body.count"), "utf8"), "x");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** Start two racing processes; both get the value, one computed (Completed), one Cached. */
async function raceTwoProcesses(
  start: () => Promise<{ code: unknown; out: string }>,
): Promise<void> {
  const results = await Promise.all([start(), start()]);
  for (const r of results) assert.equal(r.code, 0, r.out);
  const states = results.map(
    (r) => JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}") as { name: string; value: number },
  );
  assert.deepEqual(
    states.map((s) => s.value),
    [70, 70],
  );
  assert.deepEqual(states.map((s) => s.name).sort(), ["Cached", "Completed"]);
}
