/**
 * Variables on the local database, for the embedded client: the same models as the server's
 * routes, which hold names and values to Prefect's rules (a `ValidationError` naming the field).
 */
import {
  type VariableListOptions,
  type VariablesApi,
  valueOr,
  variablesListing,
} from "../client/variables-api.ts";
import type { Variable, VariableCreate, VariableUpdate, VariableValue } from "../core/variables.ts";
import * as model from "../resources/variables/model.ts";
import type { AppContext } from "../services/context.ts";

export class EmbeddedVariables implements VariablesApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  create(input: VariableCreate): Promise<Variable> {
    return model.createVariable(this.#ctx, input);
  }
  read(id: string): Promise<Variable> {
    return model.readVariable(this.#ctx, id);
  }
  readByName(name: string): Promise<Variable> {
    return model.readVariableByName(this.#ctx, name);
  }
  get<T = VariableValue>(name: string, defaultValue?: T): Promise<VariableValue | T> {
    return valueOr(() => this.readByName(name), defaultValue);
  }
  list(options?: VariableListOptions): Promise<Variable[]> {
    return model.filterVariables(this.#ctx, variablesListing(options));
  }
  count(options?: VariableListOptions): Promise<number> {
    return model.countVariables(this.#ctx, { variables: variablesListing(options).variables });
  }
  update(id: string, change: VariableUpdate): Promise<void> {
    return model.updateVariable(this.#ctx, id, change);
  }
  updateByName(name: string, change: VariableUpdate): Promise<void> {
    return model.updateVariableByName(this.#ctx, name, change);
  }
  delete(id: string): Promise<void> {
    return model.deleteVariable(this.#ctx, id);
  }
  deleteByName(name: string): Promise<void> {
    return model.deleteVariableByName(this.#ctx, name);
  }
}
