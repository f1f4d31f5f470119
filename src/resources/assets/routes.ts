/**
 * `/assets`: what the server keeps of the assets runs materialize and reference, from their
 * events (`recorder.ts`).
 *
 * For a UI assets page (interface note; the UI is built elsewhere):
 * - the list: `POST /api/assets/filter` `{"limit": 1..200, "offset": n, "filter": {"key":
 *   {"prefix": ["s3://"], "search": ["orders"]}}}` → `{"assets": [Asset], "total": n}`, by key.
 *   Group by scheme (`key` before `://`) and nest by path segments, as Prefect's UI does. Health:
 *   `last_materialization.status` (`succeeded` green, `failed` red, none — only referenced —
 *   grey).
 * - an asset: `GET /api/assets/key?key=<url-encoded key>` → `Asset` (`properties`: name,
 *   description in Markdown, url, owners; `last_materialization`: status, occurred, event_id,
 *   flow_run_id → link `/runs/flow-run/<id>`, materialized_by, metadata), 404 when unknown.
 * - the lineage graph: `POST /api/assets/latest-dependencies` `{}` → every edge
 *   `[{"upstream", "downstream", "updated", "flow_run_id"}]` (nodes are the keys on the edges;
 *   fetch them with the filter for their properties), or `{"keys": [key]}` for the edges one
 *   step up and down from those keys (walk further by asking again with the keys found).
 * - events of an asset (materializations and references over time): `POST /api/events/filter`
 *   with `{"filter": {"resource": {"id": [key]}, "event": {"prefix": ["prefect.asset."]}}}`.
 * - delete: `DELETE /api/assets/key?key=…` → 204 (404 when unknown); a later event brings it back.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody } from "../../server/schemas/common.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import {
  AssetDependencyResponse,
  AssetKeyQuery,
  AssetPageResponse,
  AssetResponse,
  AssetsFilterBodySchema,
  LatestDependenciesBodySchema,
} from "./schema.ts";

export const assetRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/assets/filter",
    {
      schema: {
        body: optionalBody(AssetsFilterBodySchema),
        response: responses({ 200: AssetPageResponse }),
      },
    },
    async (req) => model.filterAssets(ctx, req.body),
  );

  app.get(
    "/assets/key",
    { schema: { querystring: AssetKeyQuery, response: responses({ 200: AssetResponse }) } },
    async (req) => model.readAsset(ctx, req.query.key),
  );

  app.delete(
    "/assets/key",
    { schema: { querystring: AssetKeyQuery, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteAsset(ctx, req.query.key);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/assets/latest-dependencies",
    {
      schema: {
        body: optionalBody(LatestDependenciesBodySchema),
        response: responses({ 200: z.array(AssetDependencyResponse) }),
      },
    },
    async (req) => model.latestDependencies(ctx, req.body.keys),
  );
};
