/**
 * Checks of flow and task options when the flow or task is defined: a value the API cannot take
 * (a fractional retry count, a flow name with `/`) is refused there, naming the option, rather than
 * turning into a request the server answers 422 in the middle of a call — and both clients (local
 * file and API) accept the same definitions.
 */
import { ValidationError } from "../core/errors.ts";

/** Characters Prefect's flow names may not hold (`FlowCreate.name`: `^[^/%&><]+$`). */
const BANNED_NAME_CHARACTERS = /[/%&><]/;

export function checkFlowName(name: string): void {
  if (name.length === 0 || BANNED_NAME_CHARACTERS.test(name))
    throw new ValidationError(
      `flow name '${name}' is not valid: a flow name is not empty and holds none of / % & > <`,
    );
}

function isDelay(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * `retries` a whole number of 0 or more; `retryDelaySeconds` a number of seconds of 0 or more (or,
 * for tasks, a list of them); `retryJitterFactor` 0 or more.
 */
export function checkRetryOptions(
  owner: string,
  options: { retries?: number; retryDelaySeconds?: unknown; retryJitterFactor?: number | null },
): void {
  const { retries, retryDelaySeconds: delay, retryJitterFactor: jitter } = options;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0))
    throw new ValidationError(
      `${owner}: retries must be a whole number of 0 or more, not ${retries}`,
    );
  if (delay !== undefined && delay !== null) {
    const ok = Array.isArray(delay) ? delay.every(isDelay) : isDelay(delay);
    if (!ok)
      throw new ValidationError(
        `${owner}: retryDelaySeconds must be seconds of 0 or more${Array.isArray(delay) ? " (each of the list)" : ""}, not ${JSON.stringify(delay)}`,
      );
  }
  if (jitter !== undefined && jitter !== null && !isDelay(jitter))
    throw new ValidationError(`${owner}: retryJitterFactor must be 0 or more, not ${jitter}`);
}
