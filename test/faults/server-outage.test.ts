/**
 * Server outages under a client-mode flow (a real server process, a real flow process, both
 * databases): the server killed -9 mid-flow and started again 1 or 5 s later (30 s in
 * `server-long-outage.test.ts`). The flow rides the outage out — its task runs keep going locally
 * and its records wait — and ends `Completed` with every task run stored, exiting 0. An outage
 * longer than the client's retries fails the flow process loudly; its run is not reported
 * finished, and the server settles it `Crashed` once it is back.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { flowProcess, rideOutOutage, servedDatabase, stateOf } from "./processes.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: a server outage under a client-mode flow`, () => {
    const served = servedDatabase(dialect);

    for (const downForMs of [1000, 5000]) {
      it(`killed -9 mid-flow and back after ${downForMs / 1000} s: Completed, every task run stored`, async () => {
        await rideOutOutage(served, downForMs);
      });
    }

    it("an outage longer than the client's retries fails the flow loudly; the run ends Crashed, never Completed", async () => {
      const flow = flowProcess("paced-flow", ["100", "10"], {
        ...served.env(),
        PREFECT_CLIENT_MAX_RETRIES: "3",
      });
      const id = await flow.line(/RUN (\S+)/);
      await served.server.stop("SIGKILL");
      const code = await flow.exit;
      await served.server.start();
      assert.notEqual(code, 0);
      assert.match(flow.stderr(), /cannot reach the Prefect API|could not deliver/);
      assert.doesNotMatch(flow.stdout(), /RETURNED/);
      // and once the server is back it settles the run: its process is gone
      await until(
        "the run to be crashed",
        async () => (await stateOf(served.server.api, id)) === "CRASHED",
        30_000,
      );
    });
  });
}
