/** The HTTP edge of `/block_capabilities/`: a list of capability names. */
import { z } from "zod";

export const BlockCapabilitiesResponse = z.array(z.string());
