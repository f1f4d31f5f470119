import { DIALECTS } from "../helpers/databases.ts";
import { cliRetrySuite } from "./resume-cli.ts";

if (DIALECTS.includes("postgres")) cliRetrySuite("postgres");
