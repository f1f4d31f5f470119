/**
 * `/task_runs`: create (idempotent by flow run, task key and dynamic key), read, update, delete,
 * `set_state`, listings.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { TaskRunCreate } from "../../core/run-inputs.ts";
import type { StateCreate } from "../../core/state.ts";
import { collectionRoutes } from "../../server/collection-routes.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { Uuid } from "../../server/schemas/common.ts";
import {
  TaskRunsCountBodySchema,
  TaskRunsFilterBodySchema,
  TaskRunsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { OrchestrationResultResponse, SetStateBody } from "../states/schema.ts";
import * as taskRuns from "./model.ts";
import {
  TaskRunCreateSchema,
  TaskRunResponse,
  TaskRunUpdateSchema,
  toTaskRunResponse,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const taskRunRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  const answer = (run: Parameters<typeof toTaskRunResponse>[0]) =>
    toTaskRunResponse(run, ctx.clock.nowIso());

  app.post(
    "/task_runs/",
    {
      schema: {
        body: TaskRunCreateSchema,
        response: responses({ 200: TaskRunResponse, 201: TaskRunResponse }),
      },
    },
    async (req, reply) => {
      const input = { ...req.body, id: req.body.id ?? undefined } as TaskRunCreate;
      const { taskRun, created } = await taskRuns.createTaskRun(ctx, input);
      return reply.code(created ? 201 : 200).send(answer(taskRun));
    },
  );

  app.get(
    "/task_runs/:id",
    { schema: { params: IdParams, response: responses({ 200: TaskRunResponse }) } },
    async (req) => answer(await taskRuns.readTaskRun(ctx, req.params.id)),
  );

  app.patch(
    "/task_runs/:id",
    {
      schema: {
        params: IdParams,
        body: TaskRunUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await taskRuns.updateTaskRun(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/task_runs/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await taskRuns.deleteTaskRun(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/task_runs/:id/set_state",
    {
      schema: {
        params: IdParams,
        body: SetStateBody,
        response: responses({ 200: OrchestrationResultResponse, 201: OrchestrationResultResponse }),
      },
    },
    async (req, reply) => {
      const { result, written } = await taskRuns.setTaskRunState(
        ctx,
        req.params.id,
        req.body.state as StateCreate,
        { force: req.body.force },
      );
      return reply.code(written ? 201 : 200).send(result);
    },
  );

  collectionRoutes(app, {
    path: "/task_runs",
    bodies: {
      count: TaskRunsCountBodySchema,
      filter: TaskRunsFilterBodySchema,
      paginate: TaskRunsPaginateBodySchema,
    },
    count: (query) => taskRuns.countTaskRuns(ctx, query),
    filter: (listing) => taskRuns.filterTaskRuns(ctx, listing),
    toResponse: answer,
    response: TaskRunResponse,
    paginationName: "TaskRunPaginationResponse",
  });
};
