/**
 * `/deployments`: create (upsert by flow and name), read by id and by `flow/deployment` name,
 * update, delete, listings, runs (`create_flow_run`, `get_scheduled_flow_runs`, `schedule`),
 * pause and resume, schedules, `work_queue_check`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DeploymentFlowRunCreate } from "../../core/deployments.ts";
import type { StateCreate } from "../../core/state.ts";
import { normalizeIso } from "../../core/time.ts";
import { collectionRoutes } from "../../server/collection-routes.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { Uuid } from "../../server/schemas/common.ts";
import {
  DeploymentsCountBodySchema,
  DeploymentsFilterBodySchema,
  DeploymentsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { FlowRunResponse, toFlowRunResponse } from "../flow-runs/schema.ts";
import * as deployments from "./model.ts";
import {
  DeploymentCreateSchema,
  DeploymentFlowRunCreateSchema,
  DeploymentResponse,
  DeploymentScheduleCreateSchema,
  DeploymentScheduleResponse,
  DeploymentScheduleUpdateSchema,
  DeploymentUpdateSchema,
  ScheduledFlowRunsBodySchema,
  ScheduleRunsBodySchema,
  toDeploymentResponse,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });
const ScheduleParams = z.object({ id: Uuid, schedule_id: Uuid });
/** A 200 whose body is `null` (Prefect's routes that return nothing). */
const nothing = z.null().meta({ description: "Successful Response" });

/** An incoming timestamp in canonical form (a naive one is UTC). */
const iso = (value: string) =>
  normalizeIso(/(Z|[+-]\d\d(:?\d\d)?)$/i.test(value) ? value : `${value}Z`);

export const deploymentRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  const runAnswer = (run: Parameters<typeof toFlowRunResponse>[0]) =>
    toFlowRunResponse(run, ctx.clock.nowIso());

  app.post(
    "/deployments/",
    {
      schema: {
        body: DeploymentCreateSchema,
        response: responses({ 200: DeploymentResponse, 201: DeploymentResponse }),
      },
    },
    async (req, reply) => {
      const { deployment, created } = await deployments.createDeployment(ctx, req.body);
      return reply.code(created ? 201 : 200).send(toDeploymentResponse(deployment));
    },
  );

  app.get(
    "/deployments/:id",
    { schema: { params: IdParams, response: responses({ 200: DeploymentResponse }) } },
    async (req) => toDeploymentResponse(await deployments.readDeployment(ctx, req.params.id)),
  );

  app.get(
    "/deployments/name/:flow_name/:deployment_name",
    {
      schema: {
        params: z.object({ flow_name: z.string(), deployment_name: z.string() }),
        response: responses({ 200: DeploymentResponse }),
      },
    },
    async (req) =>
      toDeploymentResponse(
        await deployments.readDeploymentByName(
          ctx,
          req.params.flow_name,
          req.params.deployment_name,
        ),
      ),
  );

  app.patch(
    "/deployments/:id",
    {
      schema: {
        params: IdParams,
        body: DeploymentUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await deployments.updateDeployment(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/deployments/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await deployments.deleteDeployment(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  collectionRoutes(app, {
    path: "/deployments",
    bodies: {
      count: DeploymentsCountBodySchema,
      filter: DeploymentsFilterBodySchema,
      paginate: DeploymentsPaginateBodySchema,
    },
    count: (query) => deployments.countDeployments(ctx, query),
    filter: (listing) => deployments.filterDeployments(ctx, listing),
    toResponse: toDeploymentResponse,
    response: DeploymentResponse,
    paginationName: "DeploymentPaginationResponse",
  });

  app.post(
    "/deployments/get_scheduled_flow_runs",
    {
      schema: {
        body: ScheduledFlowRunsBodySchema,
        response: responses({ 200: z.array(FlowRunResponse) }),
      },
    },
    async (req) => {
      const runs = await deployments.readScheduledFlowRuns(ctx, {
        deploymentIds: req.body.deployment_ids,
        scheduledBefore: req.body.scheduled_before ? iso(req.body.scheduled_before) : null,
        limit: req.body.limit,
      });
      return runs.map(runAnswer);
    },
  );

  app.post(
    "/deployments/:id/create_flow_run",
    {
      schema: {
        params: IdParams,
        body: DeploymentFlowRunCreateSchema,
        response: responses({ 200: FlowRunResponse, 201: FlowRunResponse }),
      },
    },
    async (req, reply) => {
      const body = req.body;
      const input: DeploymentFlowRunCreate = {
        ...body,
        state: (body.state ?? null) as StateCreate | null,
      };
      const { flowRun, created } = await deployments.createFlowRunFromDeployment(
        ctx,
        req.params.id,
        input,
      );
      return reply.code(created ? 201 : 200).send(runAnswer(flowRun));
    },
  );

  app.post(
    "/deployments/:id/schedule",
    {
      schema: {
        params: IdParams,
        body: z.preprocess((v) => v ?? {}, ScheduleRunsBodySchema),
        response: responses({ 200: nothing }),
      },
    },
    async (req) => {
      const b = req.body;
      await deployments.scheduleDeploymentRuns(ctx, req.params.id, {
        start: b.start_time ? iso(b.start_time) : undefined,
        end: b.end_time ? iso(b.end_time) : undefined,
        minTimeSeconds: b.min_time ?? undefined,
        minRuns: b.min_runs ?? undefined,
        maxRuns: b.max_runs ?? undefined,
      });
      return null;
    },
  );

  app.post(
    "/deployments/:id/pause_deployment",
    { schema: { params: IdParams, response: responses({ 200: nothing }) } },
    async (req) => {
      await deployments.pauseDeployment(ctx, req.params.id);
      return null;
    },
  );

  app.post(
    "/deployments/:id/resume_deployment",
    { schema: { params: IdParams, response: responses({ 200: nothing }) } },
    async (req) => {
      await deployments.resumeDeployment(ctx, req.params.id);
      return null;
    },
  );

  app.get(
    "/deployments/:id/work_queue_check",
    { schema: { params: IdParams, response: responses({ 200: z.array(z.unknown()) }) } },
    async (req) => deployments.workQueueCheck(ctx, req.params.id),
  );

  app.get(
    "/deployments/:id/schedules",
    {
      schema: {
        params: IdParams,
        response: responses({ 200: z.array(DeploymentScheduleResponse) }),
      },
    },
    async (req) => deployments.readDeploymentSchedules(ctx, req.params.id),
  );

  app.post(
    "/deployments/:id/schedules",
    {
      schema: {
        params: IdParams,
        body: z.array(DeploymentScheduleCreateSchema),
        response: responses({ 201: z.array(DeploymentScheduleResponse) }),
      },
    },
    async (req, reply) => {
      const created = await deployments.createDeploymentSchedules(ctx, req.params.id, req.body);
      return reply.code(201).send(created);
    },
  );

  app.patch(
    "/deployments/:id/schedules/:schedule_id",
    {
      schema: {
        params: ScheduleParams,
        body: DeploymentScheduleUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await deployments.updateDeploymentSchedule(
        ctx,
        req.params.id,
        req.params.schedule_id,
        req.body,
      );
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/deployments/:id/schedules/:schedule_id",
    { schema: { params: ScheduleParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await deployments.deleteDeploymentSchedule(ctx, req.params.id, req.params.schedule_id);
      return reply.code(204).send(null);
    },
  );
};
