/**
 * Variables as the domain sees them (Prefect's `Variable`, `VariableCreate`, `VariableUpdate`,
 * `VariableFilter`, `VariableSort`), and Prefect's rules for them, in one place for the HTTP edge,
 * the embedded client and the SDK: a name of at most 255 characters made of lowercase letters,
 * digits, dashes and underscores; a value any JSON value whose JSON text is at most 5,000
 * characters long.
 */
import type { Operator } from "./filters.ts";

type Maybe<T> = T | null | undefined;

/** A variable's value: any JSON value. */
export type VariableValue =
  | string
  | number
  | boolean
  | null
  | VariableValue[]
  | { [key: string]: VariableValue };

export interface Variable {
  id: string;
  created: string;
  updated: string;
  name: string;
  value: VariableValue;
  tags: string[];
}

export interface VariableCreate {
  name: string;
  value: VariableValue;
  tags?: string[];
}

/** The fields of a variable to change; one left out keeps its value. */
export interface VariableUpdate {
  name?: string;
  value?: VariableValue;
  tags?: string[];
}

/** Prefect's `MAX_VARIABLE_NAME_LENGTH`. */
export const MAX_VARIABLE_NAME_LENGTH = 255;
/** Prefect's `MAX_VARIABLE_VALUE_LENGTH`: characters of the value's JSON text. */
export const MAX_VARIABLE_VALUE_LENGTH = 5000;

const NAME = /^[a-z0-9_-]*$/;

/** Why `name` is not a variable name (Prefect's message), or null when it is one. */
export function variableNameProblem(name: string): string | null {
  if (name.length > MAX_VARIABLE_NAME_LENGTH) {
    return `Variable name should have at most ${MAX_VARIABLE_NAME_LENGTH} characters`;
  }
  if (!NAME.test(name)) {
    return "Variable name must only contain lowercase letters, numbers, and dashes or underscores.";
  }
  return null;
}

/** Why `value` cannot be a variable's value (Prefect's message), or null when it can. */
export function variableValueProblem(value: unknown): string | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return "Variable value must be serializable to JSON";
  }
  if (text === undefined) return "Variable value must be serializable to JSON";
  if (value !== null && Buffer.byteLength(text, "utf8") > MAX_VARIABLE_VALUE_LENGTH) {
    return `Variable value must be less than ${MAX_VARIABLE_VALUE_LENGTH} characters`;
  }
  return null;
}

export const VariableSort = {
  CREATED_DESC: "CREATED_DESC",
  UPDATED_DESC: "UPDATED_DESC",
  NAME_DESC: "NAME_DESC",
  NAME_ASC: "NAME_ASC",
} as const;
export type VariableSort = (typeof VariableSort)[keyof typeof VariableSort];

export interface VariableFilter {
  operator?: Operator;
  id?: Maybe<{ any_?: Maybe<string[]> }>;
  name?: Maybe<{ any_?: Maybe<string[]>; like_?: Maybe<string> }>;
  tags?: Maybe<{ operator?: Operator; all_?: Maybe<string[]>; is_null_?: Maybe<boolean> }>;
}

/** What selects variables (`POST /variables/count`). */
export interface VariablesQuery {
  variables?: Maybe<VariableFilter>;
}

/** A page of variables (`POST /variables/filter`; default sort `NAME_ASC`). */
export interface VariablesListing extends VariablesQuery {
  sort?: Maybe<VariableSort>;
  limit?: Maybe<number>;
  offset?: Maybe<number>;
}
