/**
 * `prefect-ts work-queue`, the real CLI in a subprocess on both databases: queues created in a pool
 * (with a priority and a limit) or in Prefect's agent pool, listed, inspected by name and by id,
 * paused and resumed, limited and cleared, deleted; Prefect's messages; unknown names, duplicates
 * and the default queue's deletion refused with one-line errors and exit code 1.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { runCliInProcess, runCli as runCliProcess } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`prefect-ts work-queue (${dialect})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCliInProcess(args, env);
    /** The real program in a subprocess. */
    const subprocess = (...args: string[]) => runCliProcess(args, env);
    const ok = async (...args: string[]) => {
      const res = await cli(...args);
      assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
      return res.stdout;
    };
    const fails = async (message: string, ...args: string[]) => {
      const res = await cli(...args);
      assert.equal(res.code, 1, `${args.join(" ")}: ${res.stdout}`);
      assert.equal(res.stderr.trim(), message);
    };

    before(async () => {
      t = await createTestDatabase(dialect);
      env = { PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url };
    });
    after(() => t.dispose());

    it("creates, lists, inspects, pauses, limits and deletes work queues", async () => {
      await ok("work-pool", "create", "queues", "--type", "process");
      // the real program in a subprocess, then the same commands in this process
      const made = await subprocess("work-queue", "create", "high", "--pool", "queues", "-q", "1");
      assert.equal(made.code, 0, made.stderr);
      const created = made.stdout;
      assert.match(created, /^Created work queue with properties:$/m);
      assert.match(created, /^ {4}work pool - 'queues'$/m);
      const listed = await ok("work-queue", "ls", "--pool", "queues");
      assert.match(listed, /Work Queues in Work Pool 'queues'/);
      const queues = JSON.parse(await ok("work-queue", "ls", "--pool", "queues", "-o", "json"));
      assert.deepEqual(
        queues.map((q: { name: string; priority: number }) => [q.name, q.priority]).sort(),
        [
          ["default", 2],
          ["high", 1],
        ],
      );
      assert.equal(
        (await ok("work-queue", "set-concurrency-limit", "high", "2", "--pool", "queues")).trim(),
        "Concurrency limit of 2 set on work queue 'high' in work pool 'queues'",
      );
      assert.equal(
        (await ok("work-queue", "pause", "high", "--pool", "queues")).trim(),
        "Work queue 'high' in work pool 'queues' paused",
      );
      const high = JSON.parse(
        await ok("work-queue", "inspect", "high", "-p", "queues", "-o", "json"),
      );
      assert.deepEqual([high.concurrency_limit, high.is_paused, high.status], [2, true, "PAUSED"]);
      // by id
      const byId = JSON.parse(await ok("work-queue", "inspect", high.id, "-o", "json"));
      assert.equal(byId.name, "high");
      assert.equal(
        (await ok("work-queue", "resume", "high", "-p", "queues")).trim(),
        "Work queue 'high' in work pool 'queues' resumed",
      );
      assert.equal(
        (await ok("work-queue", "clear-concurrency-limit", "high", "-p", "queues")).trim(),
        "Concurrency limits removed on work queue 'high' in work pool 'queues'",
      );
      // without a pool: Prefect's agent pool
      assert.match(await ok("work-queue", "create", "legacy"), /work pool - 'default-agent-pool'/);
      assert.match(await ok("work-queue", "ls"), /legacy .*default-agent-pool/);
      const dup = await subprocess("work-queue", "create", "legacy");
      assert.deepEqual(
        [dup.code, dup.stderr.trim()],
        [1, "Work queue with name: 'legacy' already exists."],
      );
      await fails(
        "Work pool with name: 'nope' not found.",
        "work-queue",
        "create",
        "q",
        "--pool",
        "nope",
      );
      await fails(
        "No work queue named 'ghost' found in work pool 'queues'.",
        "work-queue",
        "inspect",
        "ghost",
        "-p",
        "queues",
      );
      await fails(
        "Can't delete a pool's default queue.",
        "work-queue",
        "delete",
        "default",
        "-p",
        "queues",
      );
      assert.equal(
        (await ok("work-queue", "delete", "high", "-p", "queues")).trim(),
        "Successfully deleted work queue 'high' in work pool 'queues'",
      );
      await fails(
        "No work queue named 'high' found in work pool 'queues'.",
        "work-queue",
        "inspect",
        "high",
        "-p",
        "queues",
      );
    });
  });
}
