/** `/flow_runs`: create, read, delete, and `set_state` through the orchestration core. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorCode, isPrefectTsError } from "../../core/errors.ts";
import type { FlowRunCreate } from "../../core/run-inputs.ts";
import type { StateCreate } from "../../core/state.ts";
import { normalizeIso, nowIso } from "../../core/time.ts";
import { clientVersionOf } from "../../server/client-version.ts";
import { paginate } from "../../server/collection-routes.ts";
import { toFlowRunResponse } from "../../server/responses.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { DateTimeString, optionalBody, Uuid } from "../../server/schemas/common.ts";
import {
  FlowRunsCountBodySchema,
  FlowRunsFilterBodySchema,
  FlowRunsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { countFlowRunsFiltered, filterFlowRuns } from "../../storage/filter-sql.ts";
import { emitterOf } from "../events/pipeline.ts";
import * as flows from "../flows/queries.ts";
import { SetStateBody } from "../states/schema.ts";
import { FlowRunGraphTooLargeError, readFlowRunGraph } from "./graph-queries.ts";
import { averageFlowRunLateness } from "./lateness-queries.ts";
import { createFlowRun, setFlowRunState } from "./model.ts";
import * as flowRuns from "./queries.ts";
import { FlowRunCreateSchema, FlowRunUpdateSchema } from "./schema.ts";
import { updateFlowRunFields } from "./update.ts";

const IdParams = z.object({ id: Uuid });

export const flowRunRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { database, events },
) => {
  const emitEvent = emitterOf(events);
  app.post("/flow_runs/", { schema: { body: FlowRunCreateSchema } }, async (req, reply) => {
    if (!(await flows.readFlow(database, req.body.flow_id))) {
      return reply.code(404).send({ detail: "Flow not found" });
    }
    const started = nowIso();
    const run = await createFlowRun(database, req.body as FlowRunCreate, { emitEvent });
    // an idempotency key that matched an existing run answers 200 with that run
    return reply.code(run.created < started ? 200 : 201).send(toFlowRunResponse(run));
  });

  app.get("/flow_runs/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const run = await flowRuns.readFlowRun(database, req.params.id);
    if (!run) return reply.code(404).send({ detail: "Flow run not found" });
    return toFlowRunResponse(run);
  });

  app.patch(
    "/flow_runs/:id",
    { schema: { params: IdParams, body: FlowRunUpdateSchema } },
    async (req, reply) => {
      const updated = await updateFlowRunFields(database, req.params.id, req.body);
      if (!updated) return reply.code(404).send({ detail: "Flow run not found" });
      return reply.code(204).send();
    },
  );

  app.get(
    "/flow_runs/:id/graph-v2",
    { schema: { params: IdParams, querystring: z.object({ since: DateTimeString.optional() }) } },
    async (req, reply) => {
      try {
        const since = req.query.since ? normalizeIso(req.query.since) : undefined;
        return await readFlowRunGraph(database, req.params.id, since);
      } catch (error) {
        if (error instanceof FlowRunGraphTooLargeError)
          return reply.code(400).send({ detail: error.message });
        if (isPrefectTsError(error) && error.code === ErrorCode.OBJECT_NOT_FOUND) {
          return reply.code(404).send({ detail: "Flow run not found" });
        }
        throw error;
      }
    },
  );

  app.patch(
    "/flow_runs/:id/labels",
    {
      schema: {
        params: IdParams,
        body: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      },
    },
    async (req, reply) => {
      const run = await flowRuns.readFlowRun(database, req.params.id);
      if (!run) return reply.code(404).send({ detail: "Flow run not found" });
      await database.db
        .updateTable("flow_run")
        .set({ labels: database.dialect.toJson({ ...run.labels, ...req.body }), updated: nowIso() })
        .where("id", "=", run.id)
        .execute();
      return reply.code(204).send();
    },
  );

  app.delete("/flow_runs/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const run = await flowRuns.readFlowRun(database, req.params.id);
    if (!run) return reply.code(404).send({ detail: "Flow run not found" });
    await flowRuns.deleteFlowRun(database, run.id);
    return reply.code(204).send();
  });

  app.post(
    "/flow_runs/:id/set_state",
    { schema: { params: IdParams, body: SetStateBody } },
    async (req, reply) => {
      const apiVersion = req.headers["x-prefect-api-version"];
      const { result, written } = await setFlowRunState(
        database,
        req.params.id,
        req.body.state as StateCreate,
        {
          force: req.body.force,
          apiVersion: typeof apiVersion === "string" ? apiVersion : null,
          clientVersion: clientVersionOf(req.headers["user-agent"]),
          emitEvent,
        },
      );
      return reply.code(written ? 201 : 200).send(result);
    },
  );

  app.post(
    "/flow_runs/filter",
    { schema: { body: optionalBody(FlowRunsFilterBodySchema) } },
    async (req) => (await filterFlowRuns(database, req.body)).map(toFlowRunResponse),
  );
  app.post(
    "/flow_runs/count",
    { schema: { body: optionalBody(FlowRunsCountBodySchema) } },
    async (req) => countFlowRunsFiltered(database, req.body),
  );
  app.post(
    "/flow_runs/lateness",
    { schema: { body: optionalBody(FlowRunsCountBodySchema) } },
    async (req) => averageFlowRunLateness(database, req.body),
  );
  app.post(
    "/flow_runs/paginate",
    { schema: { body: optionalBody(FlowRunsPaginateBodySchema) } },
    async (req) =>
      paginate(
        req.body,
        (rest) => countFlowRunsFiltered(database, rest),
        (rest) => filterFlowRuns(database, rest),
        toFlowRunResponse,
      ),
  );
};
