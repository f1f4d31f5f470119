/**
 * `{{ prefect.variables.name }}` read through a client's variables API (`client.variables`), for
 * `prefect-ts deploy` and the pull steps of `flow-run execute`. A client without that API makes
 * such a placeholder an error naming it.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import { ErrorCode, isPrefectTsError, ValidationError } from "../core/errors.ts";
import type { VariableReader } from "./templating.ts";

type VariablesLike = { readByName?: (name: string) => Promise<{ value: unknown } | null> };

/** A reader of variables through the client `open()` gives (opened on the first read). */
export function clientVariableReader(open: () => Promise<PrefectClient>): VariableReader {
  return async (name) => {
    const client = await open();
    const api = (client as unknown as { variables?: VariablesLike }).variables;
    if (typeof api?.readByName !== "function")
      throw new ValidationError(
        `{{ prefect.variables.${name} }}: this prefect-ts client has no variables API to read it with`,
      );
    try {
      const found = await api.readByName(name);
      return found ? found.value : null;
    } catch (error) {
      if (isPrefectTsError(error) && error.code === ErrorCode.OBJECT_NOT_FOUND) return null;
      throw error;
    }
  };
}
