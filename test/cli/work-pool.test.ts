/**
 * `prefect-ts work-pool`, the real CLI in a subprocess on both databases — embedded, and through a
 * server (`PREFECT_API_URL`): create (with the process worker's default template, or a template
 * file), ls, inspect (`-o json`), update, pause/resume, concurrency limits, preview,
 * get-default-base-job-template, delete; Prefect's messages; bad input and unknown names get
 * one-line errors and exit code 1.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { PROCESS_BASE_JOB_TEMPLATE } from "../../src/core/base-job-templates.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { runCliInProcess, runCli as runCliProcess } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`prefect-ts work-pool (${dialect})`, () => {
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

    it("creates, lists, inspects, changes and deletes work pools", async () => {
      // the real program in a subprocess, then the same commands in this process
      const created = (await subprocess("work-pool", "create", "local", "--type", "process"))
        .stdout;
      assert.match(created, /^Created work pool 'local'!$/m);
      assert.match(created, /prefect-ts worker start --pool local/);
      assert.match(created, /└── Status: Not Ready$/m);
      const inspected = await subprocess("work-pool", "inspect", "local", "-o", "json");
      assert.equal(inspected.code, 0, inspected.stderr);
      const pool = JSON.parse(inspected.stdout);
      assert.equal(pool.type, "process");
      assert.deepEqual(pool.base_job_template, PROCESS_BASE_JOB_TEMPLATE);
      assert.equal(pool.status, "NOT_READY");
      assert.ok(pool.default_queue_id);

      await fails(
        "Work pool named 'local' already exists. Use --overwrite to update it.",
        "work-pool",
        "create",
        "local",
        "--type",
        "process",
      );
      await fails(
        "Unknown work pool type 'kubernetes'. Please choose from process.",
        "work-pool",
        "create",
        "k8s",
        "--type",
        "kubernetes",
      );
      await fails(
        "Work pools starting with 'Prefect' are reserved for internal use.",
        "work-pool",
        "create",
        "prefect-x",
        "--type",
        "process",
      );
      // a template of one's own
      const path = join(t.home, "template.json");
      writeFileSync(
        path,
        JSON.stringify({
          job_configuration: { command: "{{ command }}" },
          variables: { type: "object", properties: { command: { type: "string" } } },
        }),
      );
      assert.match(
        await ok("work-pool", "create", "custom", "--type", "process", "--base-job-template", path),
        /Created work pool 'custom'!/,
      );

      const ls = await ok("work-pool", "ls");
      assert.match(ls, /Work Pools/);
      assert.match(ls, /local/);
      assert.match(ls, /custom/);

      assert.equal(
        (await ok("work-pool", "set-concurrency-limit", "local", "4")).trim(),
        "Set concurrency limit for work pool 'local' to 4",
      );
      assert.equal(
        (await ok("work-pool", "clear-concurrency-limit", "local")).trim(),
        "Cleared concurrency limit for work pool 'local'",
      );
      assert.equal((await ok("work-pool", "pause", "local")).trim(), "Paused work pool 'local'");
      const paused = JSON.parse(await ok("work-pool", "inspect", "local", "-o", "json"));
      assert.deepEqual(
        [paused.is_paused, paused.status, paused.concurrency_limit],
        [true, "PAUSED", null],
      );
      assert.match(await ok("work-pool", "ls"), /local \(\*\*\)/);
      assert.equal((await ok("work-pool", "resume", "local")).trim(), "Resumed work pool 'local'");
      assert.equal(
        (await ok("work-pool", "update", "local", "--description", "on this host")).trim(),
        "Updated work pool 'local'",
      );
      const changed = JSON.parse(await ok("work-pool", "inspect", "local", "-o", "json"));
      assert.deepEqual(
        [changed.is_paused, changed.status, changed.concurrency_limit, changed.description],
        [false, "NOT_READY", null, "on this host"],
      );
      assert.match(
        await ok("work-pool", "preview", "local"),
        /^No runs found - try increasing how far into the future you preview with the --hours flag$/m,
      );

      const template = JSON.parse(
        await ok("work-pool", "get-default-base-job-template", "--type", "process"),
      );
      assert.deepEqual(template, PROCESS_BASE_JOB_TEMPLATE);

      const missing = await subprocess("work-pool", "inspect", "nope");
      assert.deepEqual([missing.code, missing.stderr.trim()], [1, "Work pool 'nope' not found!"]);
      await fails('Work pool "nope" not found.', "work-pool", "pause", "nope");
      await fails("Work pool 'nope' does not exist.", "work-pool", "delete", "nope");
      const badLimit = await cli("work-pool", "set-concurrency-limit", "local", "-1");
      assert.equal(badLimit.code, 1);

      assert.equal(
        (await ok("work-pool", "delete", "custom")).trim(),
        "Deleted work pool 'custom'",
      );
      await fails("Work pool 'custom' not found!", "work-pool", "inspect", "custom");
    });

    describe("through a server", () => {
      let app: FastifyInstance;
      let server: Record<string, string>;
      before(async () => {
        app = await createCheckedApp({ database: t.database });
        const base = await app.listen({ port: 0, host: "127.0.0.1" });
        server = { PREFECT_HOME: t.home, PREFECT_API_URL: `${base}/api` };
      });
      after(() => app.close());

      it("answers the same commands over HTTP", async () => {
        const over = (...args: string[]) => runCliProcess(args, server);
        const created = await over("work-pool", "create", "remote", "--type", "process");
        assert.equal(created.code, 0, created.stderr);
        const pool = await over("work-pool", "inspect", "remote", "-o", "json");
        assert.equal(JSON.parse(pool.stdout).type, "process");
        const dup = await over("work-pool", "create", "remote", "--type", "process");
        assert.equal(dup.code, 1);
        assert.equal(
          dup.stderr.trim(),
          "Work pool named 'remote' already exists. Use --overwrite to update it.",
        );
        const queue = await over("work-queue", "create", "q1", "-p", "remote", "-l", "3");
        assert.equal(queue.code, 0, queue.stderr);
        assert.match(queue.stdout, /concurrency limit - 3/);
        const refused = await over("work-queue", "delete", "default", "-p", "remote");
        assert.equal(refused.code, 1);
        assert.equal(refused.stderr.trim(), "Can't delete a pool's default queue.");
        const missing = await over("work-pool", "inspect", "nope");
        assert.equal(missing.stderr.trim(), "Work pool 'nope' not found!");
      });
    });
  });
}
