/**
 * `prefect-ts deployment`: list, inspect, run and delete deployments, and manage their schedules
 * (`deployment schedule ls|create|pause|resume|delete`), with Prefect's messages. `run --watch`
 * follows the run's states and logs until it ends and exits with its outcome (0 when Completed).
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { logLine } from "../../cli/output/runs.ts";
import { renderTable } from "../../cli/output/table.ts";
import { pythonDatetime } from "../../cli/output/time.ts";
import {
  CliError,
  type CliIo,
  collect,
  isNotFound,
  wantsJson,
  withClient,
} from "../../cli/support.ts";
import type { DeploymentsApi, ScheduleInput } from "../../client/deployments-api.ts";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { Deployment, DeploymentSchedule } from "../../core/deployments.ts";
import { ConflictError, isPrefectTsError } from "../../core/errors.ts";
import type { FlowRun } from "../../core/runs.ts";
import type { Schedule } from "../../core/schedules/schemas.ts";
import { TERMINAL_STATE_TYPES } from "../../core/state-types.ts";

/** The deployment `flow/name`, or the CLI's error naming it. */
async function readByName(client: PrefectClient, name: string): Promise<Deployment> {
  if (!name.includes("/")) {
    throw new CliError(
      `Invalid deployment name '${name}': give it as <FLOW_NAME>/<DEPLOYMENT_NAME>.`,
    );
  }
  return client.deployments.readByName(name).catch((error: unknown) => {
    if (isNotFound(error)) throw new CliError(`Deployment '${name}' not found!`);
    throw error;
  });
}

/** `--param key=value`: the value read as JSON when it is JSON, else as text (as Prefect). */
function parseParam(
  value: string,
  previous: Record<string, unknown> = {},
): Record<string, unknown> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("give it as key=value.");
  const key = value.slice(0, eq);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // plain text
  }
  return { ...previous, [key]: parsed };
}

function parseParams(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError("must be a JSON object.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError("must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("must be a number of seconds, more than 0.");
  }
  return n;
}

/** How a schedule reads in a table (`cron: 0 3 * * * (Europe/Berlin)`). */
export function describeSchedule(schedule: Schedule): string {
  const zone = schedule.timezone ? ` (${schedule.timezone})` : "";
  if ("cron" in schedule) return `cron: ${schedule.cron}${zone}`;
  if ("interval" in schedule) return `interval: ${intervalText(schedule.interval)}${zone}`;
  return `rrule: ${schedule.rrule}${zone}`;
}

/** Seconds as Python writes a timedelta: `0:10:00`, `1 day, 0:00:00`. */
function intervalText(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const sText = Number.isInteger(s) ? String(s).padStart(2, "0") : s.toFixed(6).padStart(9, "0");
  const clock = `${h}:${String(m).padStart(2, "0")}:${sText}`;
  return days > 0 ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("View all deployments or deployments for specific flows.")
    .argument("[flow-name...]", "Only the deployments of these flows")
    .option("--by-created", "Sort by created time instead of name.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (flowNames: string[], options: { byCreated?: boolean; output?: string }) => {
      const json = wantsJson(options.output);
      const { deployments, flowNames: names } = await withClient(async (client) => {
        const deployments = await client.deployments.list({
          flowNames: flowNames.length > 0 ? flowNames : undefined,
          sort: options.byCreated ? "CREATED_DESC" : "NAME_ASC",
        });
        const ids = [...new Set(deployments.map((d) => d.flow_id))];
        const flows = await Promise.all(ids.map((id) => client.readFlow(id).catch(() => null)));
        const named = flows.filter((f) => f !== null);
        return { deployments, flowNames: new Map(named.map((f) => [f.id, f.name])) };
      });
      if (json) return io.out(JSON.stringify(deployments, null, 2));
      const fullName = (d: Deployment) => `${names.get(d.flow_id) ?? ""}/${d.name}`;
      const rows = [...deployments]
        .sort((a, b) =>
          options.byCreated
            ? 0
            : fullName(a) < fullName(b)
              ? -1
              : fullName(a) > fullName(b)
                ? 1
                : 0,
        )
        .map((d) => [fullName(d), d.id, d.work_pool_name ?? ""]);
      io.out(
        renderTable({
          title: "Deployments",
          columns: [{ header: "Name" }, { header: "ID" }, { header: "Work Pool" }],
          rows,
        }),
      );
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View details about a deployment.")
    .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (name: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const deployment = await withClient((client) => readByName(client, name));
      if (json) return io.out(JSON.stringify(deployment, null, 2));
      io.out(renderKeyValues({ ...deployment }).join("\n"));
    });
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete a deployment.")
    .argument("[name]", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .option("--id <id>", "The deployment's ID")
    .action(async (name: string | undefined, options: { id?: string }) => {
      if (!name && !options.id) throw new CliError("Must provide a deployment name or id");
      await withClient(async (client) => {
        if (options.id) {
          await client.deployments.delete(options.id).catch((error: unknown) => {
            if (isNotFound(error)) throw new CliError(`Deployment '${options.id}' not found!`);
            throw error;
          });
          return;
        }
        const deployment = await readByName(client, name as string);
        await client.deployments.delete(deployment.id);
      });
      io.out(`Deleted deployment '${name ?? options.id}'.`);
    });
}

interface RunOptions {
  param?: Record<string, unknown>;
  params?: Record<string, unknown>;
  watch?: boolean;
  watchInterval?: number;
  tag?: string[];
  output?: string;
}

function registerRun(group: Command, io: CliIo): void {
  group
    .command("run")
    .description("Create a flow run for the given deployment.")
    .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .option(
      "-p, --param <key=value>",
      "A parameter for the run (repeatable); the value is read as JSON when it is JSON",
      parseParam,
    )
    .option("--params <json>", "The run's parameters as a JSON object", parseParams)
    .option("--tag <tag>", "A tag for the run (repeatable)", collect)
    .option("--watch", "Follow the run's states and logs until it ends; exit with its outcome")
    .option("--watch-interval <seconds>", "How often to look while watching", positiveNumber, 0.5)
    .action(async (name: string, options: RunOptions) => {
      if (options.param && options.params) {
        throw new CliError("Can only use one of `--param` or `--params`.");
      }
      const parameters = options.params ?? options.param ?? {};
      await withClient(async (client, settings) => {
        const deployment = await readByName(client, name);
        io.out(`Creating flow run for deployment '${name}'...`);
        const run = await client.deployments
          .createFlowRun(deployment.id, { parameters, tags: options.tag })
          .catch((error: unknown) => {
            if (error instanceof ConflictError) throw new CliError(error.message);
            throw error;
          });
        io.out(`Created flow run '${run.name}'.`);
        io.out(`└── UUID: ${run.id}`);
        io.out(`└── Parameters: ${JSON.stringify(run.parameters)}`);
        io.out(`└── Job Variables: ${JSON.stringify(run.job_variables)}`);
        const scheduled = run.state?.state_details.scheduled_time ?? run.expected_start_time;
        if (scheduled) io.out(`└── Scheduled start time: ${pythonDatetime(scheduled)} (now)`);
        if (settings.uiUrl) {
          io.out(`└── URL: ${settings.uiUrl.replace(/\/+$/, "")}/runs/flow-run/${run.id}`);
        }
        if (options.watch) await watchRun(client, io, run, (options.watchInterval ?? 0.5) * 1000);
      });
    });
}

/**
 * Follow a run until it is in a final state: each new state and each new log line as they come.
 * Resolves for Completed; any other final state is a `CliError` (exit code 1).
 */
async function watchRun(
  client: PrefectClient,
  io: CliIo,
  run: FlowRun,
  intervalMs: number,
): Promise<void> {
  io.out(`Watching flow run '${run.name}'...`);
  let lastState = run.state?.id ?? null;
  let logsSeen = 0;
  const printLogs = async () => {
    for (;;) {
      const logs = await client.readLogs({ flowRunId: run.id, offset: logsSeen, limit: 200 });
      for (const log of logs) io.out(logLine(log, "Flow run", run.name));
      logsSeen += logs.length;
      if (logs.length < 200) return;
    }
  };
  for (;;) {
    const current = await client.readFlowRun(run.id);
    await printLogs();
    const state = current.state;
    if (state && state.id !== lastState) {
      lastState = state.id;
      io.out(`Flow run '${run.name}' is ${state.name}${state.message ? `: ${state.message}` : ""}`);
    }
    if (state && TERMINAL_STATE_TYPES.has(state.type)) {
      // logs sent just before the end
      await printLogs();
      if (state.type === "COMPLETED") {
        io.out(`Flow run finished successfully in '${state.name}'.`);
        return;
      }
      throw new CliError(`Flow run finished in state '${state.name}'.`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// deployment schedule …
// ---------------------------------------------------------------------------------------------

interface ScheduleCreateOptions {
  cron?: string;
  interval?: number;
  rrule?: string;
  timezone?: string;
  anchorDate?: string;
  dayOr?: boolean;
  active?: boolean;
  replace?: boolean;
  maxScheduledRuns?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("must be a positive integer.");
  }
  return n;
}

function scheduleInput(options: ScheduleCreateOptions): ScheduleInput {
  const given = [options.cron, options.interval, options.rrule].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new CliError("Exactly one of `--interval`, `--rrule`, or `--cron` must be provided.");
  }
  const timezone = options.timezone ?? null;
  if (options.cron !== undefined) {
    return { cron: options.cron, timezone, day_or: options.dayOr ?? true };
  }
  if (options.interval !== undefined) {
    return {
      interval: options.interval,
      ...(options.anchorDate ? { anchor_date: options.anchorDate } : {}),
      timezone: timezone ?? "UTC",
    };
  }
  return { rrule: options.rrule as string, timezone: timezone ?? "UTC" };
}

/**
 * A schedule the server (a 422) or the schedule schemas (embedded) refused, in one line naming
 * the field: `Invalid schedule: Invalid cron string: "61 * * * *" (cron)`.
 */
function scheduleRefusal(error: unknown): never {
  if (isPrefectTsError(error) && error.code === "ERR_VALIDATION") {
    const wire = /"loc":\[([^\]]*)\],"msg":"((?:[^"\\]|\\.)*)"/.exec(error.message);
    const [field, detail] = wire
      ? [JSON.parse(`[${wire[1]}]`).at(-1), JSON.parse(`"${wire[2]}"`) as string]
      : (() => {
          const local = /^([\w.]+): (.*)$/s.exec(error.message);
          return local ? [local[1]?.split(".").at(-1), local[2]] : [null, error.message];
        })();
    const where = field != null && field !== "schedule" ? ` (${field})` : "";
    throw new CliError(`Invalid schedule: ${String(detail).replace(/^Value error, /, "")}${where}`);
  }
  throw error;
}

function findSchedule(deployment: Deployment, scheduleId: string): DeploymentSchedule {
  const schedule = deployment.schedules.find((s) => s.id === scheduleId);
  if (!schedule) throw new CliError("Deployment schedule not found!");
  return schedule;
}

function registerSchedule(group: Command, io: CliIo): void {
  const schedule = group.command("schedule").description("Manage deployment schedules.");

  schedule
    .command("ls")
    .description("View all schedules for a deployment.")
    .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (name: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const deployment = await withClient((client) => readByName(client, name));
      if (json) return io.out(JSON.stringify(deployment.schedules, null, 2));
      io.out(
        renderTable({
          title: "Deployment Schedules",
          columns: [{ header: "ID" }, { header: "Schedule" }, { header: "Active" }],
          rows: deployment.schedules.map((s) => [
            s.id,
            describeSchedule(s.schedule),
            s.active ? "True" : "False",
          ]),
        }),
      );
    });

  schedule
    .command("create")
    .description("Create a schedule for a given deployment.")
    .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .option("--cron <expression>", "A cron string")
    .option("--interval <seconds>", "An interval to schedule on, in seconds", positiveNumber)
    .option("--rrule <rule>", "An RFC 5545 rule")
    .option("--timezone <zone>", "The IANA time zone of the schedule (default UTC)")
    .option("--anchor-date <datetime>", "The date to count an interval from")
    .addOption(new Option("--day-or", "Cron: a day of month or of week matches").default(true))
    .option("--no-day-or", "Cron: only days that match both the day of month and of week")
    .addOption(new Option("--active", "Whether the schedule is active").default(true))
    .option("--no-active", "Create the schedule paused")
    .option("--replace", "Replace the deployment's current schedules with this one")
    .option("--max-scheduled-runs <n>", "At most this many runs scheduled ahead", positiveInt)
    .action(async (name: string, options: ScheduleCreateOptions) => {
      const input = scheduleInput(options);
      await withClient(async (client) => {
        const deployment = await readByName(client, name);
        const api: DeploymentsApi = client.deployments;
        if (options.replace) {
          for (const s of deployment.schedules) await api.deleteSchedule(deployment.id, s.id);
        }
        await api
          .createSchedules(deployment.id, [
            {
              schedule: input,
              active: options.active ?? true,
              maxScheduledRuns: options.maxScheduledRuns,
            },
          ])
          .catch(scheduleRefusal);
      });
      io.out("Created deployment schedule!");
    });

  for (const [verb, active] of [
    ["pause", false],
    ["resume", true],
  ] as const) {
    schedule
      .command(verb)
      .description(`${verb === "pause" ? "Pause" : "Resume"} a deployment schedule.`)
      .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
      .argument("<schedule-id>", "The schedule's ID")
      .action(async (name: string, scheduleId: string) => {
        const found = await withClient(async (client) => {
          const deployment = await readByName(client, name);
          const schedule = findSchedule(deployment, scheduleId);
          if (schedule.active === active) return { schedule, changed: false };
          await client.deployments.updateSchedule(deployment.id, scheduleId, { active });
          return { schedule, changed: true };
        });
        const what = describeSchedule(found.schedule.schedule);
        if (!found.changed) {
          throw new CliError(
            `Deployment schedule ${scheduleId} is already ${active ? "active" : "inactive"}`,
          );
        }
        io.out(`${active ? "Resumed" : "Paused"} schedule ${what} for deployment ${name}`);
      });
  }

  schedule
    .command("delete")
    .description("Delete a deployment schedule.")
    .argument("<name>", "The deployment, as <FLOW_NAME>/<DEPLOYMENT_NAME>")
    .argument("<schedule-id>", "The schedule's ID")
    .action(async (name: string, scheduleId: string) => {
      await withClient(async (client) => {
        const deployment = await readByName(client, name);
        await client.deployments
          .deleteSchedule(deployment.id, scheduleId)
          .catch((error: unknown) => {
            if (isNotFound(error)) throw new CliError("Deployment schedule not found!");
            throw error;
          });
      });
      io.out(`Deleted deployment schedule ${scheduleId}`);
    });
}

export function registerDeployment(program: Command, io: CliIo): void {
  const group = program
    .command("deployment")
    .alias("deployments")
    .description("Manage deployments.");
  registerLs(group, io);
  registerInspect(group, io);
  registerRun(group, io);
  registerDelete(group, io);
  registerSchedule(group, io);
}
