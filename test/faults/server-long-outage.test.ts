/**
 * A longer server outage under a client-mode flow (both databases): the server killed -9 mid-flow
 * and started again 30 s later, within the client's default retries (about 61 s). The flow ends
 * `Completed` with every task run stored, exiting 0.
 */
import { describe, it } from "node:test";
import { DIALECTS } from "../helpers/databases.ts";
import { rideOutOutage, servedDatabase } from "./processes.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: a 30 s server outage under a client-mode flow`, () => {
    const served = servedDatabase(dialect);
    it("killed -9 mid-flow and back after 30 s: Completed, every task run stored", async () => {
      await rideOutOutage(served, 30_000);
    });
  });
}
