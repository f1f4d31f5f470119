/**
 * `prefect-ts flow-run cancel <id>`, on the local database and against a server: a running run is
 * put in Cancelling (what stops it is another process's business), a Scheduled run with no
 * infrastructure is Cancelled at once; a finished run, an unknown id and a malformed id end the
 * command with exit code 1 and Prefect's messages.
 */
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { uuid4 } from "../../src/core/ids.ts";
import type { FlowRun } from "../../src/core/runs.ts";
import { readFlowRun } from "../../src/resources/flow-runs/queries.ts";
import { createFlow } from "../../src/resources/flows/queries.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { type CliResult, cliEnv, runCli, seedFlowRun, stateAgo } from "./helpers.ts";

const scheduledFor = () => new Date(Date.now() + 3_600_000).toISOString();

for (const dialect of DIALECTS) {
  for (const transport of ["embedded", "server"] as const) {
    describe(`prefect-ts flow-run cancel (${dialect}, ${transport})`, () => {
      let tdb: TestDatabase;
      let app: FastifyInstance | null = null;
      let env: Record<string, string>;
      let flowId: string;
      const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);
      const stateType = async (id: string) =>
        (await readFlowRun(tdb.database, id))?.state_type ?? null;

      /** A run in `type`, its process this test's (alive: nothing else ends its cancellation). */
      async function seeded(type: "RUNNING" | "SCHEDULED" | "COMPLETED", pid: boolean) {
        const state = type === "SCHEDULED" ? stateAgo(type, 5, scheduledFor()) : stateAgo(type, 60);
        const run: FlowRun = await seedFlowRun(tdb.database, flowId, `${type}-run`, state, 120);
        if (pid) {
          await tdb.database.db
            .updateTable("flow_run")
            .set({ infrastructure_pid: `${hostname()}:${process.pid}` })
            .where("id", "=", run.id)
            .execute();
        }
        return run.id;
      }

      before(async () => {
        tdb = await createTestDatabase(dialect);
        flowId = (await createFlow(tdb.database, { name: "cancel-cli" })).flow.id;
        env = cliEnv(tdb);
        if (transport === "server") {
          app = await createCheckedApp({ database: tdb.database });
          await app.listen({ host: "127.0.0.1", port: 0 });
          const address = app.server.address();
          const port = typeof address === "object" && address ? address.port : 0;
          env = { PREFECT_HOME: tdb.home, PREFECT_API_URL: `http://127.0.0.1:${port}/api` };
        }
      });
      after(async () => {
        await app?.close();
        await tdb.dispose();
      });

      it("puts a running flow run in Cancelling, with Prefect's message", async () => {
        const id = await seeded("RUNNING", true);
        const { code, stdout, stderr } = await cli("flow-run", "cancel", id);
        assert.equal(code, 0, stderr);
        assert.equal(stdout, `Flow run '${id}' was successfully scheduled for cancellation.\n`);
        assert.equal(await stateType(id), "CANCELLING");
        // asked again: nothing changes, and it is not an error (as Prefect)
        const again = await cli("flow-run", "cancel", id);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(await stateType(id), "CANCELLING");
      });

      it("cancels a Scheduled flow run with no infrastructure at once", async () => {
        const id = await seeded("SCHEDULED", false);
        const { code, stderr } = await cli("flow-runs", "cancel", id);
        assert.equal(code, 0, stderr);
        assert.equal(await stateType(id), "CANCELLED");
      });

      it("refuses a finished flow run, an unknown id and a malformed one (exit 1)", async () => {
        const done = await seeded("COMPLETED", false);
        const finished = await cli("flow-run", "cancel", done);
        assert.equal(finished.code, 1);
        assert.equal(finished.stdout, "");
        assert.equal(
          finished.stderr,
          `Flow run '${done}' was unable to be cancelled. Reason: 'This run is in terminal state COMPLETED and cannot transition to CANCELLING.'\n`,
        );
        assert.equal(await stateType(done), "COMPLETED");

        const missing = uuid4();
        const unknown = await cli("flow-run", "cancel", missing);
        assert.equal(unknown.code, 1);
        assert.equal(unknown.stderr, `Flow run '${missing}' not found!\n`);

        const bad = await cli("flow-run", "cancel", "not-a-uuid");
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /'not-a-uuid' is not a valid UUID/);
      });
    });
  }
}
