/**
 * Deployments on the local database, for the embedded client: the same models as the server's
 * routes. What the HTTP edge checks with zod is checked here too: schedules through the schedule
 * engine's schemas (an invalid cron, rrule or time zone is a `ValidationError` naming the field).
 */
import {
  type DeploymentCreateOptions,
  type DeploymentListOptions,
  type DeploymentRunOptions,
  type DeploymentScheduleOptions,
  type DeploymentScheduleUpdateOptions,
  type DeploymentsApi,
  type DeploymentUpdateOptions,
  deploymentsListing,
  deploymentsQuery,
  type ScheduledRunsOptions,
  type ScheduleInput,
  splitDeploymentName,
  wireCreate,
  wireRun,
  wireUpdate,
} from "../client/deployments-api.ts";
import type {
  Deployment,
  DeploymentSchedule,
  DeploymentScheduleCreate,
} from "../core/deployments.ts";
import { ValidationError } from "../core/errors.ts";
import type { FlowRun } from "../core/runs.ts";
import type { Schedule, ScheduleSchema } from "../core/schedules/schemas.ts";
import * as model from "../resources/deployments/model.ts";
import type { AppContext } from "../services/context.ts";

/** The schedules' schema (with the cron and RRule checks), loaded by what writes a schedule. */
async function scheduleSchema(): Promise<typeof ScheduleSchema> {
  return (await import("../core/schedules/schemas.ts")).ScheduleSchema;
}

/** A schedule as given, as stored; a `ValidationError` naming the field otherwise. */
function parseSchedule(
  schema: typeof ScheduleSchema,
  input: ScheduleInput,
  where: string,
): Schedule {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [where, ...(issue?.path ?? [])].join(".");
  throw new ValidationError(`${path}: ${issue?.message ?? "invalid schedule"}`);
}

function scheduleCreate(
  schema: typeof ScheduleSchema,
  s: DeploymentScheduleOptions,
  where: string,
): DeploymentScheduleCreate {
  return {
    schedule: parseSchedule(schema, s.schedule, `${where}.schedule`),
    active: s.active ?? true,
    max_scheduled_runs: s.maxScheduledRuns ?? null,
    parameters: s.parameters ?? {},
    slug: s.slug ?? null,
  };
}

/** Each schedule as given, as stored (`<prefix><i>` names one refused). */
async function schedulesCreate(
  list: readonly DeploymentScheduleOptions[] | undefined,
  prefix: string,
): Promise<DeploymentScheduleCreate[] | undefined> {
  if (!list) return undefined;
  const schema = await scheduleSchema();
  return list.map((s, i) => scheduleCreate(schema, s, `${prefix}${i}`));
}

export class EmbeddedDeployments implements DeploymentsApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async create(options: DeploymentCreateOptions): Promise<Deployment> {
    const schedules = await schedulesCreate(options.schedules, "schedules.");
    const input = { ...wireCreate(options), schedules };
    return (await model.createDeployment(this.#ctx, input)).deployment;
  }
  read(id: string): Promise<Deployment> {
    return model.readDeployment(this.#ctx, id);
  }
  async readByName(name: string): Promise<Deployment> {
    const { flowName, deploymentName } = splitDeploymentName(name);
    return model.readDeploymentByName(this.#ctx, flowName, deploymentName);
  }
  list(options?: DeploymentListOptions): Promise<Deployment[]> {
    return model.filterDeployments(this.#ctx, deploymentsListing(options));
  }
  count(options?: DeploymentListOptions): Promise<number> {
    return model.countDeployments(this.#ctx, deploymentsQuery(options));
  }
  async update(id: string, options: DeploymentUpdateOptions): Promise<void> {
    const schedules = await schedulesCreate(options.schedules, "schedules.");
    return model.updateDeployment(this.#ctx, id, { ...wireUpdate(options), schedules });
  }
  delete(id: string): Promise<void> {
    return model.deleteDeployment(this.#ctx, id);
  }
  pause(id: string): Promise<void> {
    return model.pauseDeployment(this.#ctx, id);
  }
  resume(id: string): Promise<void> {
    return model.resumeDeployment(this.#ctx, id);
  }
  async createFlowRun(id: string, options?: DeploymentRunOptions): Promise<FlowRun> {
    return (await model.createFlowRunFromDeployment(this.#ctx, id, wireRun(options))).flowRun;
  }
  readSchedules(id: string): Promise<DeploymentSchedule[]> {
    return model.readDeploymentSchedules(this.#ctx, id);
  }
  async createSchedules(
    id: string,
    schedules: readonly DeploymentScheduleOptions[],
  ): Promise<DeploymentSchedule[]> {
    return model.createDeploymentSchedules(
      this.#ctx,
      id,
      (await schedulesCreate(schedules, "")) ?? [],
    );
  }
  async updateSchedule(
    id: string,
    scheduleId: string,
    options: DeploymentScheduleUpdateOptions,
  ): Promise<void> {
    const schedule = options.schedule
      ? parseSchedule(await scheduleSchema(), options.schedule, "schedule")
      : undefined;
    return model.updateDeploymentSchedule(this.#ctx, id, scheduleId, {
      schedule,
      active: options.active,
      max_scheduled_runs: options.maxScheduledRuns,
      parameters: options.parameters,
      slug: options.slug,
    });
  }
  deleteSchedule(id: string, scheduleId: string): Promise<void> {
    return model.deleteDeploymentSchedule(this.#ctx, id, scheduleId);
  }
  readScheduledFlowRuns(options: ScheduledRunsOptions): Promise<FlowRun[]> {
    return model.readScheduledFlowRuns(this.#ctx, options);
  }
}
