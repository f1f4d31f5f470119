/**
 * The filter grammar is Prefect's, held to `../shared/prefect-openapi.json`: the sort enums of
 * `src/core/filters.ts` are Prefect's exactly, and every filter schema the API validates with (which
 * the core's types agree with at compile time, `server/schemas/filters.ts`) has exactly the
 * criteria of Prefect's component of the same name, all the way down.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { z } from "zod";
import { FlowRunSort, FlowSort, LogSort, TaskRunSort } from "../../src/core/filters.ts";
import {
  DeploymentFilterSchema,
  FlowFilterSchema,
  FlowRunFilterSchema,
  LogFilterSchema,
  TaskRunFilterSchema,
  WorkPoolFilterSchema,
  WorkQueueFilterSchema,
} from "../../src/server/schemas/filters.ts";

interface JsonSchema {
  $ref?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  enum?: string[];
}

const openapi = JSON.parse(
  readFileSync(new URL("../../../shared/prefect-openapi.json", import.meta.url), "utf8"),
) as { components: { schemas: Record<string, JsonSchema> } };
const components = openapi.components.schemas;

/** The component a property refers to (`$ref`, or `anyOf: [$ref, null]`), if any. */
function referenced(schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref ?? schema?.anyOf?.find((s) => s.$ref)?.$ref;
  return ref ? components[ref.replace("#/components/schemas/", "")] : undefined;
}

/** The object schema inside optional/nullable/default wrappers, if it is one. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 6; depth++) {
    const def = (current as { _zod?: { def?: { type?: string; innerType?: unknown } } })._zod?.def;
    if (def?.type === "object") return (current as z.ZodObject).shape;
    if (!def?.innerType) return undefined;
    current = def.innerType;
  }
  return undefined;
}

/** Where our schema and Prefect's component differ in their keys, at any depth. */
function differences(ours: z.ZodType, theirs: JsonSchema, path: string): string[] {
  const shape = objectShape(ours);
  if (!shape || !theirs.properties) return [];
  const mine = Object.keys(shape).sort();
  const prefect = Object.keys(theirs.properties).sort();
  const out: string[] = [];
  for (const key of prefect) if (!mine.includes(key)) out.push(`${path}.${key}: missing`);
  for (const key of mine) if (!prefect.includes(key)) out.push(`${path}.${key}: not Prefect's`);
  for (const key of mine) {
    const nested = referenced(theirs.properties[key]);
    const child = shape[key];
    if (nested && child) out.push(...differences(child, nested, `${path}.${key}`));
  }
  return out;
}

describe("Prefect's filter grammar", () => {
  it("sorts: the core's enums are Prefect's, exactly", () => {
    for (const [name, ours] of [
      ["FlowSort", FlowSort],
      ["FlowRunSort", FlowRunSort],
      ["TaskRunSort", TaskRunSort],
      ["LogSort", LogSort],
    ] as const) {
      assert.deepEqual(
        Object.values(ours).sort(),
        [...(components[name]?.enum ?? [])].sort(),
        name,
      );
    }
  });

  it("filters: every criterion of Prefect's components, and none other, at every depth", () => {
    const found: string[] = [];
    for (const [name, schema] of [
      ["FlowFilter", FlowFilterSchema],
      ["FlowRunFilter", FlowRunFilterSchema],
      ["TaskRunFilter", TaskRunFilterSchema],
      ["LogFilter", LogFilterSchema],
      ["DeploymentFilter", DeploymentFilterSchema],
      ["WorkPoolFilter", WorkPoolFilterSchema],
      ["WorkQueueFilter", WorkQueueFilterSchema],
    ] as const) {
      const component = components[name];
      assert.ok(component, `${name} is in prefect-openapi.json`);
      found.push(...differences(schema, component, name));
    }
    assert.deepEqual(found, []);
  });
});
