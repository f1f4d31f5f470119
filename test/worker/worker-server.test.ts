/** The process worker against a real server on an ephemeral port (suite in working.ts). */
import { DIALECTS } from "../helpers/databases.ts";
import { describeWorker } from "./working.ts";

for (const dialect of DIALECTS) describeWorker(dialect, "server");
