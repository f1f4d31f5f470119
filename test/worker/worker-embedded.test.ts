/** The process worker on the local database, no server (suite in working.ts). */
import { DIALECTS } from "../helpers/databases.ts";
import { describeWorker } from "./working.ts";

for (const dialect of DIALECTS) describeWorker(dialect, "embedded");
