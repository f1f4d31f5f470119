/**
 * The collection routes every listable resource has, from one helper: `POST <path>/filter` (a page
 * by limit and offset), `<path>/count` and `<path>/paginate` (Prefect's `{results, count, limit,
 * pages, page}`, offset = (page − 1) × limit), each over its body schema and the resource's model.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { optionalBody } from "./schemas/common.ts";
import { count as countSchema, paginated, responses } from "./schemas/responses.ts";

interface Page {
  limit: number;
  page: number;
}

export interface CollectionSpec<
  Count extends z.ZodType,
  Filter extends z.ZodType,
  Paginate extends z.ZodType<Page>,
  Row,
> {
  /** The collection's path under `/api` (`/flow_runs`). */
  path: string;
  bodies: { count: Count; filter: Filter; paginate: Paginate };
  count: (query: z.output<Count>) => Promise<number>;
  filter: (listing: z.output<Filter>) => Promise<Row[]>;
  /** How a row is answered, and the schema of the answer (documents the routes). */
  toResponse: (row: Row) => unknown;
  response: z.ZodType;
  /** The name of the paginated answer in the OpenAPI document (Prefect's). */
  paginationName?: string;
}

export function collectionRoutes<
  Count extends z.ZodType,
  Filter extends z.ZodType,
  Paginate extends z.ZodType<Page>,
  Row,
>(app: FastifyInstance, spec: CollectionSpec<Count, Filter, Paginate, Row>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    `${spec.path}/filter`,
    {
      schema: {
        body: optionalBody(spec.bodies.filter),
        response: responses({ 200: z.array(spec.response) }),
      },
    },
    async (req) => (await spec.filter(req.body as z.output<Filter>)).map(spec.toResponse),
  );
  api.post(
    `${spec.path}/count`,
    {
      schema: { body: optionalBody(spec.bodies.count), response: responses({ 200: countSchema }) },
    },
    async (req) => spec.count(req.body as z.output<Count>),
  );
  if (!spec.paginationName) return;
  api.post(
    `${spec.path}/paginate`,
    {
      schema: {
        body: optionalBody(spec.bodies.paginate),
        response: responses({ 200: paginated(spec.response, spec.paginationName) }),
      },
    },
    async (req) => {
      const { page, limit, ...rest } = req.body as Page & Record<string, unknown>;
      const [total, rows] = await Promise.all([
        spec.count(rest as z.output<Count>),
        spec.filter({ ...rest, limit, offset: (page - 1) * limit } as z.output<Filter>),
      ]);
      return {
        results: rows.map(spec.toResponse),
        count: total,
        limit,
        pages: limit > 0 ? Math.ceil(total / limit) : 0,
        page,
      };
    },
  );
}
