/**
 * Variables in the models layer (Prefect's `api/variables.py`, `models/variables.py`): create,
 * read by id or name, change and delete by id or name, list and count. The rules of names and
 * values (`core/variables.ts`) hold here for both transports; a name already taken is a 409 with
 * Prefect's message.
 */
import { ConflictError, ObjectNotFoundError, ValidationError } from "../../core/errors.ts";
import { resolvePage } from "../../core/filters.ts";
import { uuid4 } from "../../core/ids.ts";
import {
  type Variable,
  type VariableCreate,
  VariableSort,
  type VariablesListing,
  type VariablesQuery,
  type VariableUpdate,
  variableNameProblem,
  variableValueProblem,
} from "../../core/variables.ts";
import type { AppContext } from "../../services/context.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import * as variables from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Variable not found.");
const taken = (name: string) =>
  new ConflictError(`A variable with the name '${name}' already exists.`);

type By = { id: string } | { name: string };

function check(input: VariableUpdate): void {
  const nameProblem = input.name === undefined ? null : variableNameProblem(input.name);
  if (nameProblem) throw new ValidationError(`name: ${nameProblem}`);
  const valueProblem = input.value === undefined ? null : variableValueProblem(input.value);
  if (valueProblem) throw new ValidationError(`value: ${valueProblem}`);
}

export async function createVariable(ctx: AppContext, input: VariableCreate): Promise<Variable> {
  check(input);
  const now = ctx.clock.nowIso();
  const variable: Variable = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    value: input.value,
    tags: input.tags ?? [],
  };
  try {
    await withWriteTransaction(ctx.database, async (trx) => {
      if (await variables.readVariable(ctx.database, trx, { name: input.name })) {
        throw taken(input.name);
      }
      await variables.insertVariable(ctx.database, trx, variable);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(input.name);
    throw error;
  }
  return variable;
}

export async function readVariable(ctx: AppContext, id: string): Promise<Variable> {
  const found = await variables.readVariable(ctx.database, ctx.database.db, { id });
  if (!found) throw notFound();
  return found;
}

export async function readVariableByName(ctx: AppContext, name: string): Promise<Variable> {
  const found = await variables.readVariable(ctx.database, ctx.database.db, { name });
  if (!found) throw notFound();
  return found;
}

/** A page of variables (default sort `NAME_ASC`, as Prefect's). */
export async function filterVariables(
  ctx: AppContext,
  listing: VariablesListing = {},
): Promise<Variable[]> {
  const page = resolvePage(listing, VariableSort.NAME_ASC, VariableSort);
  return variables.filterVariables(ctx.database, { ...listing, ...page });
}

export function countVariables(ctx: AppContext, query: VariablesQuery = {}): Promise<number> {
  return variables.countVariables(ctx.database, query);
}

async function update(ctx: AppContext, by: By, change: VariableUpdate): Promise<void> {
  check(change);
  try {
    await withWriteTransaction(ctx.database, async (trx) => {
      const found = await variables.readVariable(ctx.database, trx, by);
      if (!found) throw notFound();
      if (change.name !== undefined && change.name !== found.name) {
        if (await variables.readVariable(ctx.database, trx, { name: change.name })) {
          throw taken(change.name);
        }
      }
      await variables.updateVariable(ctx.database, trx, by, change, ctx.clock.nowIso());
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(change.name ?? "");
    throw error;
  }
}

export function updateVariable(ctx: AppContext, id: string, change: VariableUpdate) {
  return update(ctx, { id }, change);
}

export function updateVariableByName(ctx: AppContext, name: string, change: VariableUpdate) {
  return update(ctx, { name }, change);
}

async function remove(ctx: AppContext, by: By): Promise<void> {
  const deleted = await withWriteTransaction(ctx.database, (trx) =>
    variables.deleteVariable(trx, by),
  );
  if (!deleted) throw notFound();
}

export function deleteVariable(ctx: AppContext, id: string): Promise<void> {
  return remove(ctx, { id });
}

export function deleteVariableByName(ctx: AppContext, name: string): Promise<void> {
  return remove(ctx, { name });
}
