/** `/flow_runs`: create, read, update, labels, delete, graph, `set_state`, listings, lateness. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FlowRunCreate } from "../../core/run-inputs.ts";
import type { StateCreate } from "../../core/state.ts";
import { normalizeIso } from "../../core/time.ts";
import { clientVersionOf } from "../../server/client-version.ts";
import { collectionRoutes } from "../../server/collection-routes.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { DateTimeString, optionalBody, Uuid } from "../../server/schemas/common.ts";
import {
  FlowRunsCountBodySchema,
  FlowRunsFilterBodySchema,
  FlowRunsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { OrchestrationResultResponse, SetStateBody } from "../states/schema.ts";
import { FlowRunGraphTooLargeError } from "./graph-queries.ts";
import * as flowRuns from "./model.ts";
import {
  FlowRunCreateSchema,
  FlowRunResponse,
  FlowRunUpdateSchema,
  GraphResponse,
  toFlowRunResponse,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

/**
 * prefect-ts's precondition on a proposal (`?expected_state_id=`, left out of the contract's
 * document: Prefect's clients never send it): the run must still be in that state.
 */
const ExpectedStateQuery = z.object({ expected_state_id: Uuid.optional() });

function expectedStateIdOf(query: unknown): string | null {
  const parsed = ExpectedStateQuery.safeParse(query ?? {});
  return parsed.success ? (parsed.data.expected_state_id ?? null) : null;
}
const Labels = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const flowRunRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  const answer = (run: Parameters<typeof toFlowRunResponse>[0]) =>
    toFlowRunResponse(run, ctx.clock.nowIso());

  app.post(
    "/flow_runs/",
    {
      schema: {
        body: FlowRunCreateSchema,
        response: responses({ 200: FlowRunResponse, 201: FlowRunResponse }),
      },
    },
    async (req, reply) => {
      const { flowRun, created } = await flowRuns.createFlowRun(ctx, req.body as FlowRunCreate);
      // an idempotency key that matched an existing run answers 200 with that run
      return reply.code(created ? 201 : 200).send(answer(flowRun));
    },
  );

  app.get(
    "/flow_runs/:id",
    { schema: { params: IdParams, response: responses({ 200: FlowRunResponse }) } },
    async (req) => answer(await flowRuns.readFlowRun(ctx, req.params.id)),
  );

  app.patch(
    "/flow_runs/:id",
    {
      schema: {
        params: IdParams,
        body: FlowRunUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await flowRuns.updateFlowRun(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/flow_runs/:id/graph-v2",
    {
      schema: {
        params: IdParams,
        querystring: z.object({ since: DateTimeString.optional() }),
        response: responses({ 200: GraphResponse }),
      },
    },
    async (req, reply) => {
      const since = req.query.since ? normalizeIso(req.query.since) : undefined;
      try {
        return await flowRuns.readFlowRunGraph(ctx, req.params.id, since);
      } catch (error) {
        if (error instanceof FlowRunGraphTooLargeError)
          return reply.code(400).send({ detail: error.message });
        throw error;
      }
    },
  );

  app.patch(
    "/flow_runs/:id/labels",
    { schema: { params: IdParams, body: Labels, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await flowRuns.updateFlowRunLabels(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/flow_runs/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await flowRuns.deleteFlowRun(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/flow_runs/:id/set_state",
    {
      schema: {
        params: IdParams,
        body: SetStateBody,
        response: responses({ 200: OrchestrationResultResponse, 201: OrchestrationResultResponse }),
      },
    },
    async (req, reply) => {
      const apiVersion = req.headers["x-prefect-api-version"];
      const { result, written } = await flowRuns.setFlowRunState(
        ctx,
        req.params.id,
        req.body.state as StateCreate,
        {
          force: req.body.force,
          apiVersion: typeof apiVersion === "string" ? apiVersion : null,
          clientVersion: clientVersionOf(req.headers["user-agent"]),
          expectedStateId: expectedStateIdOf(req.query),
        },
      );
      return reply.code(written ? 201 : 200).send(result);
    },
  );

  collectionRoutes(app, {
    path: "/flow_runs",
    bodies: {
      count: FlowRunsCountBodySchema,
      filter: FlowRunsFilterBodySchema,
      paginate: FlowRunsPaginateBodySchema,
    },
    count: (query) => flowRuns.countFlowRuns(ctx, query),
    filter: (listing) => flowRuns.filterFlowRuns(ctx, listing),
    toResponse: answer,
    response: FlowRunResponse,
    paginationName: "FlowRunPaginationResponse",
  });

  app.post(
    "/flow_runs/lateness",
    {
      schema: {
        body: optionalBody(FlowRunsCountBodySchema),
        response: responses({ 200: z.number().nullable() }),
      },
    },
    async (req) => flowRuns.readFlowRunLateness(ctx, req.body),
  );
};
