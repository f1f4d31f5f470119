/** Point the SDK of this test process at a test database, and back. */
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "./databases.ts";

export interface SdkHarness {
  db: TestDatabase;
  client: EmbeddedClient;
  close(): Promise<void>;
}

/** A fresh database of `dialect`, with the SDK's runs recorded into it. */
export async function sdkHarness(dialect: DialectName): Promise<SdkHarness> {
  const db = await createTestDatabase(dialect);
  const client = new EmbeddedClient(db.database, { ownsDatabase: false });
  useClient(client);
  return {
    db,
    client,
    close: async () => {
      await shutdownRuntime();
      await db.dispose();
    },
  };
}
