/** The task-run state cache (`task_run_state_cache`): cache key → cached task-run state. */
import { uuid7 } from "../../core/ids.ts";
import type { StateRecord } from "../../core/state.ts";
import type { Database, Db } from "../../storage/database.ts";
import { stateFromRow } from "../../storage/rows.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto">;

/** The state of the newest entry for `cacheKey` whose expiration is null or after `now`. */
export async function readCachedTaskRunState(
  database: Database,
  db: Executor,
  cacheKey: string,
  now: string,
): Promise<StateRecord | null> {
  const row = await db
    .selectFrom("task_run_state_cache as c")
    .innerJoin("task_run_state as s", "s.id", "c.task_run_state_id")
    .selectAll("s")
    .where("c.cache_key", "=", cacheKey)
    .where((eb) =>
      eb.or([eb("c.cache_expiration", "is", null), eb("c.cache_expiration", ">", now)]),
    )
    .orderBy("c.created", "desc")
    .orderBy("c.id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? stateFromRow(database.dialect, row) : null;
}

/** Record that `stateId` is the cached result for `cacheKey` until `expiration` (null: forever). */
export async function insertTaskRunCacheEntry(
  db: Executor,
  entry: { cacheKey: string; expiration: string | null; stateId: string; created: string },
): Promise<void> {
  await db
    .insertInto("task_run_state_cache")
    .values({
      id: uuid7(),
      created: entry.created,
      updated: entry.created,
      cache_key: entry.cacheKey,
      cache_expiration: entry.expiration,
      task_run_state_id: entry.stateId,
    })
    .execute();
}
