/**
 * The `/ui/*` helper routes Prefect's UIs call (absent from Prefect's published OpenAPI, served by
 * its API app): flow-run history dots, task-run counts, next runs, the dashboard's task-run chart.
 */

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { StateType } from "../../core/state-types.ts";
import { normalizeIso } from "../../core/time.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { countsById, responses } from "../../server/schemas/responses.ts";
import { countDeploymentsByFlow } from "../deployments/model.ts";
import { filterFlowRunPoints } from "../flow-runs/model.ts";
import { estimates } from "../flow-runs/schema.ts";
import { toTaskRunResponse } from "../task-runs/schema.ts";
import * as ui from "./model.ts";
import { dashboardIntervals } from "./queries.ts";
import {
  CountByStateResponse,
  DashboardCountsBodySchema,
  FlowIdsBodySchema,
  FlowRunIdsBodySchema,
  SimpleFlowRunResponse,
  SimpleNextFlowRunResponse,
  TaskRunCountResponse,
  TaskRunCountsByStateBodySchema,
  UiFlowRunHistoryBodySchema,
  UiTaskRunResponse,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const uiRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/ui/flows/count-deployments",
    { schema: { body: FlowIdsBodySchema, response: responses({ 200: countsById }) } },
    async (req) => countDeploymentsByFlow(ctx, req.body.flow_ids),
  );

  app.post(
    "/ui/flows/next-runs",
    {
      schema: {
        body: FlowIdsBodySchema,
        response: responses({ 200: z.record(Uuid, SimpleNextFlowRunResponse.nullable()) }),
      },
    },
    async (req) => ui.readNextRunsByFlow(ctx, req.body.flow_ids),
  );

  app.post(
    "/ui/flow_runs/history",
    {
      schema: {
        body: optionalBody(UiFlowRunHistoryBodySchema),
        response: responses({ 200: z.array(SimpleFlowRunResponse) }),
      },
    },
    async (req) => {
      const now = ctx.clock.nowIso();
      const runs = await filterFlowRunPoints(ctx, req.body);
      return runs.flatMap((run) => {
        if (!run.state_type) return [];
        const { estimated_run_time, estimated_start_time_delta } = estimates(
          { ...run, state_type: run.state_type as StateType },
          now,
        );
        return [
          {
            id: run.id,
            state_type: run.state_type as StateType,
            timestamp: normalizeIso(run.start_time ?? run.expected_start_time ?? run.created),
            duration: estimated_run_time,
            lateness: estimated_start_time_delta,
          },
        ];
      });
    },
  );

  app.post(
    "/ui/flow_runs/count-task-runs",
    { schema: { body: FlowRunIdsBodySchema, response: responses({ 200: countsById }) } },
    async (req) => ui.countTaskRunsByFlowRun(ctx, req.body.flow_run_ids),
  );

  app.post(
    "/ui/task_runs/dashboard/counts",
    {
      schema: {
        body: DashboardCountsBodySchema,
        response: responses({ 200: z.array(TaskRunCountResponse) }),
      },
    },
    async (req, reply) => {
      const { task_runs, flows, flow_runs, deployments, work_pools, work_queues } = req.body;
      const after = task_runs.start_time?.after_;
      if (!after) {
        return reply.code(422).send({ detail: "task_runs.start_time.after_ is required" });
      }
      const intervals = dashboardIntervals(after, task_runs.start_time?.before_);
      // a window rounded up past the year 9999 is one no timestamp can be compared with
      if (!/^\d{4}-/.test(intervals.at(-1)?.end ?? "")) {
        return reply.code(422).send({ detail: "task_runs.start_time must end by the year 9999" });
      }
      return ui.countDashboardTaskRuns(
        ctx,
        { task_runs, flows, flow_runs, deployments, work_pools, work_pool_queues: work_queues },
        intervals,
      );
    },
  );

  app.post(
    "/ui/task_runs/count",
    {
      schema: {
        body: optionalBody(TaskRunCountsByStateBodySchema),
        response: responses({ 200: CountByStateResponse }),
      },
    },
    async (req) => ui.countTaskRunsByState(ctx, req.body),
  );

  app.get(
    "/ui/task_runs/:id",
    { schema: { params: IdParams, response: responses({ 200: UiTaskRunResponse }) } },
    async (req, reply) => {
      const found = await ui.readUiTaskRun(ctx, req.params.id);
      // Prefect's wording for this route
      if (!found) return reply.code(404).send({ detail: "Task not found." });
      return {
        ...toTaskRunResponse(found.taskRun, ctx.clock.nowIso()),
        flow_run_name: found.flowRunName,
      };
    },
  );
};
