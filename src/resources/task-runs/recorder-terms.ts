/**
 * What the task-run recorder takes from the event bus and how it writes, known without loading it
 * (`recorder.ts`, with the server's schemas): the composition root wires the recorder with these
 * before its module is loaded.
 */
import type { Event } from "../../core/events.ts";

/**
 * Events per write of the task-run recorder on PostgreSQL. Each write makes two round trips to the
 * database whatever its size, and a run whose events share a write is upserted once: while a flow
 * streams its task runs in, writes of this size keep up with far fewer of them and less work for
 * the database (about 12% less than writes of 2000, measured). On SQLite a write has no round
 * trip but holds the event loop while it runs: there it is the pipeline's size.
 */
const RECORDER_BATCH_POSTGRES = 6000;

/** Whether the task-run recorder takes this event (Prefect's consumer filter). */
export function isTaskRunRecorderEvent(event: Event): boolean {
  return (
    event.event.startsWith("prefect.task-run.") &&
    event.resource["prefect.orchestration"] === "client"
  );
}

/**
 * The task-run recorder's terms on a database (`native`: SQLite, where the driver is in process); it goes first (task runs are
 * what clients wait to see), ahead of the event store.
 */
export function taskRunRecorderTerms(native: boolean) {
  return {
    name: "recording task-run events",
    accepts: isTaskRunRecorderEvent,
    maxBatch: native ? undefined : RECORDER_BATCH_POSTGRES,
    first: true,
  };
}
