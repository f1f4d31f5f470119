/** `GET /block_capabilities/`: every capability of the registered block schemas (`read-path`, `notify`, …). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { responses } from "../../server/schemas/responses.ts";
import { readBlockCapabilities } from "./model.ts";
import { BlockCapabilitiesResponse } from "./schema.ts";

export const blockCapabilityRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.get(
    "/block_capabilities/",
    { schema: { response: responses({ 200: BlockCapabilitiesResponse }) } },
    async () => readBlockCapabilities(ctx),
  );
};
