import { currentRunLogger } from "../engine/context.ts";
import type { RunLogger } from "../engine/logging.ts";

/** The logger of the current task or flow run; its records are stored with the run's logs. */
export function getRunLogger(): RunLogger {
  return currentRunLogger();
}
