/**
 * What a flow run's state events name beside it (Prefect reads them for each event, through a
 * cache): the name and tags of its flow and of the task run a subflow runs under.
 */
import type { FlowRunRelations, NamedWithTags } from "../../core/run-state-event.ts";
import type { Database, Db } from "../../storage/database.ts";

type Executor = Pick<Db, "selectFrom">;

function namedWithTags(
  database: Database,
  row: { name: string; tags: unknown } | undefined,
): NamedWithTags | null {
  if (!row) return null;
  const tags = database.dialect.fromJson<unknown>(row.tags);
  return {
    name: row.name,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [],
  };
}

/** The flow and the parent task run of a flow run (`null` for one that is not there). */
export async function readFlowRunRelations(
  database: Database,
  db: Executor,
  flowId: string,
  parentTaskRunId: string | null,
): Promise<FlowRunRelations> {
  const flow = await db
    .selectFrom("flow")
    .select(["name", "tags"])
    .where("id", "=", flowId)
    .executeTakeFirst();
  const parent = parentTaskRunId
    ? await db
        .selectFrom("task_run")
        .select(["name", "tags"])
        .where("id", "=", parentTaskRunId)
        .executeTakeFirst()
    : undefined;
  return {
    flow: namedWithTags(database, flow),
    parentTaskRun: namedWithTags(database, parent),
  };
}
