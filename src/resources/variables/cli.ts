/**
 * `prefect-ts variable`: set, get, ls, inspect and unset variables, with Prefect's messages and
 * `-o json` where it fits. A value given to `set` is read as JSON when it is JSON (`12`,
 * `'{"a": 1}'`, `true`), as text otherwise.
 */
import type { Command } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { pythonJson } from "../../cli/output/python-json.ts";
import { renderTable } from "../../cli/output/table.ts";
import { humanizeDiff } from "../../cli/output/time.ts";
import {
  CliError,
  type CliIo,
  collect,
  isNotFound,
  positiveInt,
  wantsJson,
  withClient,
} from "../../cli/support.ts";
import type { VariablesApi } from "../../client/variables-api.ts";
import { isPrefectTsError } from "../../core/errors.ts";
import {
  type Variable,
  type VariableValue,
  variableNameProblem,
  variableValueProblem,
} from "../../core/variables.ts";

/** Prefect's `parse_value`: JSON when the text is JSON, the text itself otherwise. */
export function parseValue(text: string): VariableValue {
  try {
    return JSON.parse(text) as VariableValue;
  } catch {
    return text;
  }
}

/** The variable of this name, or Prefect's message that there is none. */
async function found(api: VariablesApi, name: string): Promise<Variable> {
  try {
    return await api.readByName(name);
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`Variable '${name}' not found.`);
    throw error;
  }
}

/** A refusal of the API (a bad name or value) as the CLI's one-line error. */
function refused(error: unknown): never {
  if (isPrefectTsError(error)) throw new CliError(error.message);
  throw error;
}

/** A cell at most `width` characters wide (Rich's `max_width`, ellipsis at the end). */
function clip(text: string, width: number): string {
  return [...text].length <= width ? text : `${[...text].slice(0, width - 1).join("")}…`;
}

function registerSet(group: Command, io: CliIo): void {
  group
    .command("set")
    .description("Set a variable. If the variable already exists, use `--overwrite` to update it.")
    .argument("<name>", "The name of the variable to set")
    .argument("<value>", "The value of the variable to set (JSON, or text)")
    .option("--overwrite", "Overwrite the variable if it already exists.")
    .option("--tag <tag>", "Tag to associate with the variable (repeatable).", collect)
    .action(
      async (name: string, text: string, options: { overwrite?: boolean; tag?: string[] }) => {
        const value = parseValue(text);
        // Prefect's rules, checked here: the same one-line message over either transport
        const problem = variableNameProblem(name) ?? variableValueProblem(value);
        if (problem) throw new CliError(problem);
        await withClient(async (client) => {
          const api = client.variables;
          const change = { name, value, tags: options.tag ?? [] };
          const exists = await api.readByName(name).then(
            () => true,
            (error: unknown) => {
              if (isNotFound(error)) return false;
              throw error;
            },
          );
          if (exists && !options.overwrite) {
            throw new CliError(
              `Variable '${name}' already exists. Use \`--overwrite\` to update it.`,
            );
          }
          if (exists) await api.updateByName(name, change).catch(refused);
          else await api.create(change).catch(refused);
        });
        io.out(`Set variable '${name}'.`);
      },
    );
}

function registerGet(group: Command, io: CliIo): void {
  group
    .command("get")
    .description("Get a variable's value.")
    .argument("<name>", "The name of the variable to get")
    .action(async (name: string) => {
      const variable = await withClient((client) => found(client.variables, name));
      io.out(pythonJson(variable.value));
    });
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("List variables.")
    .option("--limit <n>", "The maximum number of variables to return.", positiveInt, 100)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: { limit: number; output?: string }) => {
      const json = wantsJson(options.output);
      const list = await withClient((client) => client.variables.list({ limit: options.limit }));
      const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (json) return io.out(JSON.stringify(sorted, null, 2));
      const now = Date.now();
      io.out(
        renderTable({
          title: "Variables",
          columns: [
            { header: "Name" },
            { header: "Value" },
            { header: "Created" },
            { header: "Updated" },
          ],
          rows: sorted.map((v) => [
            v.name,
            clip(pythonJson(v.value), 50),
            humanizeDiff(v.created, now),
            humanizeDiff(v.updated, now),
          ]),
        }),
      );
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View details about a variable.")
    .argument("<name>", "The name of the variable to inspect")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (name: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const variable = await withClient((client) => found(client.variables, name));
      if (json) return io.out(JSON.stringify(variable, null, 2));
      io.out(renderKeyValues({ ...variable, value: pythonJson(variable.value) }).join("\n"));
    });
}

function registerUnset(group: Command, io: CliIo, command: string, hidden: boolean): void {
  group
    .command(command, { hidden })
    .description("Unset a variable.")
    .argument("<name>", "The name of the variable to unset")
    .action(async (name: string) => {
      await withClient((client) =>
        client.variables.deleteByName(name).catch((error: unknown) => {
          if (isNotFound(error)) throw new CliError(`Variable '${name}' not found.`);
          throw error;
        }),
      );
      io.out(`Unset variable '${name}'.`);
    });
}

export function registerVariable(program: Command, io: CliIo): void {
  const group = program.command("variable").description("Manage variables.");
  registerLs(group, io);
  registerInspect(group, io);
  registerGet(group, io);
  registerSet(group, io);
  registerUnset(group, io, "unset", false);
  registerUnset(group, io, "delete", true);
}
