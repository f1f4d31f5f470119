/** `POST /flow_runs/history` and `POST /task_runs/history`: runs per interval and state. */
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { responses } from "../../server/schemas/responses.ts";
import * as history from "./model.ts";
import { historyIntervals, type Interval, TooManyIntervalsError } from "./queries.ts";
import { FlowRunHistoryBodySchema, HistoryResponse, TaskRunHistoryBodySchema } from "./schema.ts";

/** The intervals of a history body, or a 422 `{detail}` as Prefect answers a bad interval. */
function intervalsOrReply(
  reply: FastifyReply,
  body: { history_start: string; history_end: string; history_interval_seconds: number },
): Interval[] | null {
  if (body.history_interval_seconds < 1) {
    reply.code(422).send({ detail: "History interval must not be less than 1 second." });
    return null;
  }
  try {
    return historyIntervals(body.history_start, body.history_end, body.history_interval_seconds);
  } catch (error) {
    if (error instanceof TooManyIntervalsError) {
      reply.code(422).send({ detail: error.message });
      return null;
    }
    // an interval so long that it ends after the year 9999 (or is no number at all)
    if (error instanceof RangeError) {
      reply.code(422).send({ detail: "History intervals must end by the year 9999." });
      return null;
    }
    throw error;
  }
}

export const historyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/flow_runs/history",
    {
      schema: {
        body: FlowRunHistoryBodySchema,
        response: responses({ 200: z.array(HistoryResponse) }),
      },
    },
    async (req, reply) => {
      const intervals = intervalsOrReply(reply, req.body);
      if (!intervals) return reply;
      const { flows, flow_runs, task_runs, deployments, work_pools, work_queues } = req.body;
      return history.readFlowRunHistory(
        ctx,
        { flows, flow_runs, task_runs, deployments, work_pools, work_pool_queues: work_queues },
        intervals,
      );
    },
  );

  app.post(
    "/task_runs/history",
    {
      schema: {
        body: TaskRunHistoryBodySchema,
        response: responses({ 200: z.array(HistoryResponse) }),
      },
    },
    async (req, reply) => {
      const intervals = intervalsOrReply(reply, req.body);
      if (!intervals) return reply;
      const { flows, flow_runs, task_runs, deployments } = req.body;
      return history.readTaskRunHistory(
        ctx,
        { flows, flow_runs, task_runs, deployments },
        intervals,
      );
    },
  );
};
