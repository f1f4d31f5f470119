/**
 * Variables from code (Prefect's `prefect.variables.Variable`): `variables.get(name, default)`,
 * `variables.set(name, value, { overwrite, tags })`, `variables.unset(name)`. Inside a run they
 * use the run's client, elsewhere the process's (the local database, or the API of
 * `PREFECT_API_URL`). Each call is one read or write: no cache, so a change is seen at once.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import { ConflictError, ErrorCode, isPrefectTsError, ValidationError } from "../core/errors.ts";
import {
  type Variable,
  type VariableValue,
  variableNameProblem,
  variableValueProblem,
} from "../core/variables.ts";
import { runScope } from "../engine/context.ts";
import { getRuntime } from "../engine/process-runtime.ts";

export type { Variable, VariableValue };

export interface VariableSetOptions {
  /** Replace the value of a variable that exists (otherwise that is a `ConflictError`). */
  overwrite?: boolean;
  /** The variable's tags (Prefect sets them on every `set`: none when left out). */
  tags?: string[];
}

async function client(): Promise<PrefectClient> {
  return runScope.getStore()?.flow?.client ?? (await getRuntime()).client;
}

const isCode = (error: unknown, code: ErrorCode) => isPrefectTsError(error) && error.code === code;

const exists = (name: string) =>
  new ConflictError(`Variable '${name}' already exists. Use \`overwrite: true\` to update it.`);

export const variables = {
  /**
   * The value of the variable `name`, or `defaultValue` when there is none (`null` without a
   * default, as Prefect's `None`).
   */
  async get<T = VariableValue>(name: string, defaultValue?: T): Promise<VariableValue | T> {
    return (await client()).variables.get(name, defaultValue);
  },

  /**
   * Create the variable, or with `overwrite: true` replace its value (and tags) when it exists;
   * resolves with the variable as stored. A name Prefect refuses (lowercase letters, digits,
   * `-` and `_`, at most 255) or a value over 5,000 characters of JSON is a `ValidationError`.
   */
  async set(
    name: string,
    value: VariableValue,
    options: VariableSetOptions = {},
  ): Promise<Variable> {
    // Prefect's rules, checked here: the same error over either transport
    const nameProblem = variableNameProblem(name);
    if (nameProblem) throw new ValidationError(`name: ${nameProblem}`);
    const valueProblem = variableValueProblem(value);
    if (valueProblem) throw new ValidationError(`value: ${valueProblem}`);
    const api = (await client()).variables;
    const tags = options.tags ?? [];
    const current = await api.readByName(name).catch((error: unknown) => {
      if (isCode(error, ErrorCode.OBJECT_NOT_FOUND)) return null;
      throw error;
    });
    if (!current) {
      try {
        return await api.create({ name, value, tags });
      } catch (error) {
        // made meanwhile by someone else: as if it had been there
        if (!isCode(error, ErrorCode.CONFLICT) || !options.overwrite) {
          if (isCode(error, ErrorCode.CONFLICT)) throw exists(name);
          throw error;
        }
      }
    } else if (!options.overwrite) {
      throw exists(name);
    }
    await api.updateByName(name, { name, value, tags });
    return api.readByName(name);
  },

  /** Delete the variable; resolves true, or false when there was none. */
  async unset(name: string): Promise<boolean> {
    try {
      await (await client()).variables.deleteByName(name);
      return true;
    } catch (error) {
      if (isCode(error, ErrorCode.OBJECT_NOT_FOUND)) return false;
      throw error;
    }
  },
};
