/**
 * zod for the blocks SDK, loaded the first time a block needs it (a `Secret.field()`, a built-in
 * block's schema) rather than when the package is imported: importing prefect-ts stays cheap for
 * the many processes that never touch a block (zod alone is ~40 ms of a cold start). Loaded
 * through `require` (zod ships both builds); zod 4's schemas compose across the two builds.
 */
import { createRequire } from "node:module";

type Zod = typeof import("zod");

let loaded: Zod | null = null;

export function zod(): Zod {
  loaded ??= createRequire(import.meta.url)("zod") as Zod;
  return loaded;
}
