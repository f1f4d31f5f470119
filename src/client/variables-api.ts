/**
 * Variables through a client: what the SDK's `variables`, the CLI and templating in `prefect.yaml`
 * use. Options are camelCase; what is sent is Prefect's wire and what comes back is Prefect's
 * `Variable`. `HttpVariables` speaks Prefect's `/variables` API; the embedded client calls the
 * same models over the local database (`embedded/embedded-variables.ts`).
 */
import { isPrefectTsError } from "../core/errors.ts";
import type {
  Variable,
  VariableCreate,
  VariableSort,
  VariablesListing,
  VariableUpdate,
  VariableValue,
} from "../core/variables.ts";
import type { HttpTransport } from "./http-transport.ts";

export interface VariableListOptions {
  /** Only these names. */
  names?: string[];
  /** Names containing this (case-insensitive). */
  nameLike?: string;
  /** Variables holding every one of these tags. */
  tags?: string[];
  /** Default `NAME_ASC`. */
  sort?: VariableSort;
  limit?: number;
  offset?: number;
}

export interface VariablesApi {
  /** A new variable; `ConflictError` (409) when the name is taken, `ValidationError` (422) for a bad name or value. */
  create(input: VariableCreate): Promise<Variable>;
  read(id: string): Promise<Variable>;
  /** `ObjectNotFoundError("Variable not found.")` when there is none. */
  readByName(name: string): Promise<Variable>;
  /**
   * The value of the variable named `name`, or `defaultValue` when there is none (`null` without
   * one): one read, no cache — what `variables.get` and `{{ prefect.variables.name }}` use.
   */
  get<T = VariableValue>(name: string, defaultValue?: T): Promise<VariableValue | T>;
  list(options?: VariableListOptions): Promise<Variable[]>;
  count(options?: VariableListOptions): Promise<number>;
  update(id: string, change: VariableUpdate): Promise<void>;
  updateByName(name: string, change: VariableUpdate): Promise<void>;
  delete(id: string): Promise<void>;
  deleteByName(name: string): Promise<void>;
}

/** The listing (Prefect's filter body) the options select. */
export function variablesListing(o: VariableListOptions = {}): VariablesListing {
  const name =
    o.names || o.nameLike !== undefined
      ? {
          ...(o.names ? { any_: o.names } : {}),
          ...(o.nameLike !== undefined ? { like_: o.nameLike } : {}),
        }
      : undefined;
  const tags = o.tags ? { all_: o.tags } : undefined;
  return {
    ...(name || tags
      ? { variables: { ...(name ? { name } : {}), ...(tags ? { tags } : {}) } }
      : {}),
    ...(o.sort ? { sort: o.sort } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
  };
}

/** The value of `read()`'s variable, or `defaultValue` when it is not found. */
export async function valueOr<T>(
  read: () => Promise<Variable>,
  defaultValue: T | undefined,
): Promise<VariableValue | T> {
  try {
    return (await read()).value;
  } catch (error) {
    if (isPrefectTsError(error) && error.code === "ERR_OBJECT_NOT_FOUND") {
      return defaultValue === undefined ? null : defaultValue;
    }
    throw error;
  }
}

const encode = encodeURIComponent;

export class HttpVariables implements VariablesApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(input: VariableCreate): Promise<Variable> {
    return this.#http.request("POST", "/variables/", {
      name: input.name,
      value: input.value,
      tags: input.tags ?? [],
    });
  }
  read(id: string): Promise<Variable> {
    return this.#http.request("GET", `/variables/${encode(id)}`);
  }
  readByName(name: string): Promise<Variable> {
    return this.#http.request("GET", `/variables/name/${encode(name)}`);
  }
  get<T = VariableValue>(name: string, defaultValue?: T): Promise<VariableValue | T> {
    return valueOr(() => this.readByName(name), defaultValue);
  }
  list(options?: VariableListOptions): Promise<Variable[]> {
    return this.#http.request("POST", "/variables/filter", variablesListing(options));
  }
  count(options?: VariableListOptions): Promise<number> {
    const { variables } = variablesListing(options);
    return this.#http.request("POST", "/variables/count", variables ? { variables } : {});
  }
  async update(id: string, change: VariableUpdate): Promise<void> {
    await this.#http.request("PATCH", `/variables/${encode(id)}`, change);
  }
  async updateByName(name: string, change: VariableUpdate): Promise<void> {
    await this.#http.request("PATCH", `/variables/name/${encode(name)}`, change);
  }
  async delete(id: string): Promise<void> {
    await this.#http.request("DELETE", `/variables/${encode(id)}`);
  }
  async deleteByName(name: string): Promise<void> {
    await this.#http.request("DELETE", `/variables/name/${encode(name)}`);
  }
}
