import { initialMigration } from "./0001-initial.ts";
import { eventsMigration } from "./0002-events.ts";
import { eventResourcesOccurredMigration } from "./0003-event-resources-occurred.ts";
import { apiKeysMigration } from "./0004-api-keys.ts";
import { heartbeatIndexMigration } from "./0005-heartbeat-index.ts";
import { concurrencyLimitsMigration } from "./0006-concurrency-limits.ts";
import { deploymentsMigration } from "./0007-deployments.ts";
import { scheduledRunNotifyMigration } from "./0008-scheduled-run-notify.ts";
import { workPoolsMigration } from "./0009-work-pools.ts";
import { blocksMigration } from "./0010-blocks.ts";
import { variablesArtifactsMigration } from "./0011-variables-artifacts.ts";
import { assetsMigration } from "./0012-assets.ts";
import type { Migration } from "./column-types.ts";

/** Every migration, in the order they are applied. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  eventsMigration,
  eventResourcesOccurredMigration,
  apiKeysMigration,
  heartbeatIndexMigration,
  concurrencyLimitsMigration,
  deploymentsMigration,
  scheduledRunNotifyMigration,
  workPoolsMigration,
  blocksMigration,
  variablesArtifactsMigration,
  assetsMigration,
];
