/**
 * `/task_runs`: create (idempotent by flow run, task key and dynamic key), read, update, delete,
 * `set_state`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { TaskRunCreate } from "../../core/run-inputs.ts";
import type { StateCreate } from "../../core/state.ts";
import { paginate } from "../../server/collection-routes.ts";
import { toTaskRunResponse } from "../../server/responses.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import {
  TaskRunsCountBodySchema,
  TaskRunsFilterBodySchema,
  TaskRunsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { countTaskRunsFiltered, filterTaskRuns } from "../../storage/filter-sql.ts";
import { SetStateBody } from "../states/schema.ts";
import { createTaskRun, setTaskRunState } from "./model.ts";
import * as taskRuns from "./queries.ts";
import { TaskRunCreateSchema, TaskRunUpdateSchema } from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const taskRunRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { database }) => {
  app.post("/task_runs/", { schema: { body: TaskRunCreateSchema } }, async (req, reply) => {
    const input = { ...req.body, id: req.body.id ?? undefined } as TaskRunCreate;
    const { taskRun, created } = await createTaskRun(database, input);
    return reply.code(created ? 201 : 200).send(toTaskRunResponse(taskRun));
  });

  app.get("/task_runs/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const run = await taskRuns.readTaskRun(database, req.params.id);
    if (!run) return reply.code(404).send({ detail: "Task run not found" });
    return toTaskRunResponse(run);
  });

  app.patch(
    "/task_runs/:id",
    { schema: { params: IdParams, body: TaskRunUpdateSchema } },
    async (req, reply) => {
      const run = await taskRuns.readTaskRun(database, req.params.id);
      if (!run) return reply.code(404).send({ detail: "Task run not found" });
      if (req.body.name !== undefined)
        await taskRuns.renameTaskRun(database, run.id, req.body.name);
      return reply.code(204).send();
    },
  );

  app.delete("/task_runs/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const run = await taskRuns.readTaskRun(database, req.params.id);
    if (!run) return reply.code(404).send({ detail: "Task run not found" });
    await taskRuns.deleteTaskRun(database, run.id);
    return reply.code(204).send();
  });

  app.post(
    "/task_runs/:id/set_state",
    { schema: { params: IdParams, body: SetStateBody } },
    async (req, reply) => {
      const { result, written } = await setTaskRunState(
        database,
        req.params.id,
        req.body.state as StateCreate,
        {
          force: req.body.force,
        },
      );
      return reply.code(written ? 201 : 200).send(result);
    },
  );

  app.post(
    "/task_runs/filter",
    { schema: { body: optionalBody(TaskRunsFilterBodySchema) } },
    async (req) => (await filterTaskRuns(database, req.body)).map(toTaskRunResponse),
  );
  app.post(
    "/task_runs/count",
    { schema: { body: optionalBody(TaskRunsCountBodySchema) } },
    async (req) => countTaskRunsFiltered(database, req.body),
  );
  app.post(
    "/task_runs/paginate",
    { schema: { body: optionalBody(TaskRunsPaginateBodySchema) } },
    async (req) =>
      paginate(
        req.body,
        (rest) => countTaskRunsFiltered(database, rest),
        (rest) => filterTaskRuns(database, rest),
        toTaskRunResponse,
      ),
  );
};
