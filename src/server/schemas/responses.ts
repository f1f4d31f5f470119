/**
 * The pieces response schemas are built from, and how the app serialises and documents them. Each
 * route declares its responses beside it (`schema.response`, with the resource's schemas from its
 * `schema.ts`); they document the route in `/api/openapi.json`, and the test app checks every
 * response against them. Responses are not validated as they are sent: the serializer compiler
 * only stringifies (validating every list response with zod would cost more than producing it).
 */
import { jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";

export const id = z.uuid();

export const time = z.string().meta({ format: "date-time" });

export const nullableTime = time.nullable();

export const stateType = z.enum(ALL_STATE_TYPES as [StateType, ...StateType[]]);

export const json = z.record(z.string(), z.unknown());

export function paginated(item: z.ZodType, name: string) {
  return z
    .object({
      results: z.array(item),
      count: z.number().int(),
      limit: z.number().int(),
      pages: z.number().int(),
      page: z.number().int(),
    })
    .meta({ id: name });
}

export const noContent = z.null().meta({ description: "No Content" });

export const count = z.number().int();

/** A count per id (`/ui/flows/count-deployments`, `/ui/flow_runs/count-task-runs`). */
export const countsById = z.record(id, count);

/**
 * The app's serializer compiler: plain `JSON.stringify`, whatever the response schema (they are
 * documentation; see above).
 */
export function jsonSerializerCompiler(): (data: unknown) => string {
  return (data) => JSON.stringify(data);
}

/**
 * The swagger `transformObject`: components for the named schemas, without the `…Input` copies
 * the zod provider also derives for them when no request uses them.
 */
export const documentTransformObject: typeof jsonSchemaTransformObject = (document) => {
  const object = jsonSchemaTransformObject(document) as {
    components?: { schemas?: Record<string, unknown> };
  };
  const schemas = object.components?.schemas;
  if (!schemas) return object as ReturnType<typeof jsonSchemaTransformObject>;
  const inputs = Object.keys(schemas).filter((name) => name.endsWith("Input"));
  const refsIn = (value: unknown) =>
    inputs.filter((name) => JSON.stringify(value).includes(`"#/components/schemas/${name}"`));
  // the `…Input` schemas reachable from the paths and the other components are kept
  const removed = Object.fromEntries(inputs.map((name) => [name, schemas[name]]));
  for (const name of inputs) delete schemas[name];
  const keep = new Set<string>(refsIn(object));
  for (const name of keep) for (const ref of refsIn(removed[name])) keep.add(ref);
  for (const name of keep) schemas[name] = removed[name];
  // a request schema with no response copy takes its own name, as in Prefect's document
  // (`DeploymentCreate`, `CronSchedule`), its references renamed with it
  const referenced = (name: string) =>
    Object.entries(object).some(
      ([key, value]) =>
        key !== "components" && JSON.stringify(value).includes(`"#/components/schemas/${name}"`),
    ) ||
    Object.entries(schemas).some(
      ([other, value]) =>
        other !== name && JSON.stringify(value).includes(`"#/components/schemas/${name}"`),
    );
  const renames = [...keep].filter((name) => !referenced(name.slice(0, -"Input".length)));
  for (const name of renames) delete schemas[name.slice(0, -"Input".length)];
  if (renames.length === 0) return object as ReturnType<typeof jsonSchemaTransformObject>;
  let text = JSON.stringify(object);
  for (const name of renames) {
    text = text
      .replaceAll(`"#/components/schemas/${name}"`, `"#/components/schemas/${name.slice(0, -5)}"`)
      .replaceAll(`"${name}":`, `"${name.slice(0, -5)}":`);
  }
  return JSON.parse(text) as ReturnType<typeof jsonSchemaTransformObject>;
};

/**
 * A route's responses by status: what `/api/openapi.json` documents and the test app checks every
 * response against. Declared as data, not as the type of the route's replies (the wire shapes are
 * typed by the domain records they are built from).
 */
export function responses(schemas: Record<number, z.ZodType>): unknown {
  // any request may be refused in the validation shape (text the database cannot hold, found
  // before the route's own checks): a route that documents a 422 of its own answers either
  const own = schemas[422];
  return own ? { ...schemas, 422: z.union([own, ValidationErrorResponse]) } : schemas;
}

/** Prefect's 422 for a request that does not validate. */
export const ValidationErrorResponse = z.object({
  exception_message: z.string(),
  exception_detail: z.array(
    z.object({
      type: z.string(),
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      input: z.unknown().optional(),
    }),
  ),
  request_body: z.unknown(),
});
