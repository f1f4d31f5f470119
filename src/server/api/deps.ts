import type { Database } from "../../storage/database.ts";

/** What every API router gets. */
export interface RouteDeps {
  database: Database;
}
