import type { RunLogger } from "./logging.ts";
import type { State } from "./state.ts";

/**
 * Run state hooks one after another, as Prefect does: each is logged, and an error in one is
 * logged and does not stop the others or change the run's state.
 */
export async function runStateHooks<H extends (...args: never[]) => unknown>(
  logger: RunLogger,
  hooks: readonly H[],
  state: State,
  call: (hook: H) => unknown,
): Promise<void> {
  for (const hook of hooks) {
    const hookName = hook.name || "anonymous";
    try {
      logger.info(`Running hook '${hookName}' in response to entering state '${state.name}'`);
      await call(hook);
      logger.info(`Hook '${hookName}' finished running successfully`);
    } catch (error) {
      logger.error(`An error was encountered while running hook '${hookName}'`, error);
    }
  }
}
