/** Block capabilities (`GET /block_capabilities/`): what the registered block schemas can do. */
import type { AppContext } from "../../services/context.ts";
import { ensureSystemBlockTypes } from "../block-types/system-registration.ts";
import { readCapabilities } from "./queries.ts";

export async function readBlockCapabilities(ctx: AppContext): Promise<string[]> {
  await ensureSystemBlockTypes(ctx);
  return readCapabilities(ctx.database);
}
