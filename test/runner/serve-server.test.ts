/** A served deployment against a real server on an ephemeral port (suite in serving.ts). */
import { DIALECTS } from "../helpers/databases.ts";
import { describeServed } from "./serving.ts";

for (const dialect of DIALECTS) describeServed(dialect, "server");
