/**
 * A served deployment on the local database, no server: the serving process runs the scheduler
 * and is told of runs by PostgreSQL's NOTIFY or SQLite's data_version (suite in serving.ts).
 */
import { DIALECTS } from "../helpers/databases.ts";
import { describeGrace, describeServed } from "./serving.ts";

for (const dialect of DIALECTS) {
  describeServed(dialect, "embedded");
  describeGrace(dialect);
}
