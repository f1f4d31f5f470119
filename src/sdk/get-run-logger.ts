import { runScope } from "../engine/context.ts";
import { consoleLogger, type RunLogger } from "../engine/logging.ts";

/** The logger of the current task or flow run; its records are stored with the run's logs. */
export function getRunLogger(): RunLogger {
  const scope = runScope.getStore();
  const logger = scope?.task?.logger ?? scope?.flow?.logger;
  if (logger) return logger;
  return consoleLogger(20);
}
