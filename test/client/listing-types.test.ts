/**
 * What a user may pass to `readFlows`, `readFlowRuns`, `readTaskRuns` and `readLogs` (and their
 * `count…` twins) is Prefect's filter grammar, held to `../shared/prefect-openapi.json` through the
 * TypeScript checker itself: the `sort` each method's options type accepts is exactly Prefect's
 * enum (so a sort Prefect does not have, such as `START_TIME_ASC` for task runs, is a type error),
 * the options carry every field of Prefect's request body, and every filter type has exactly the
 * criteria of Prefect's component of the same name, all the way down.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import ts from "typescript";

interface JsonSchema {
  $ref?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  enum?: string[];
}
interface OpenApi {
  components: { schemas: Record<string, JsonSchema> };
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
  >;
}

const ROOT = join(import.meta.dirname, "../..");
const DOCUMENT = JSON.parse(
  readFileSync(join(ROOT, "../shared/prefect-openapi.json"), "utf8"),
) as OpenApi;
const components = DOCUMENT.components.schemas;

function component(ref: string | undefined): JsonSchema | undefined {
  return ref ? components[ref.replace("#/components/schemas/", "")] : undefined;
}
function referenced(schema: JsonSchema | undefined): JsonSchema | undefined {
  return component(schema?.$ref ?? schema?.anyOf?.find((s) => s.$ref)?.$ref);
}
/** Prefect's request body of `POST <path>`. */
function bodyOf(path: string): JsonSchema {
  const schema = DOCUMENT.paths[path]?.post?.requestBody?.content["application/json"]?.schema;
  const body = component(schema?.$ref);
  assert.ok(body, `POST ${path} has a body in prefect-openapi.json`);
  return body;
}

/** The SDK's listing methods, with the shorthand each adds to Prefect's body (and nothing else). */
const METHODS = [
  {
    method: "readFlows",
    path: "/flows/filter",
    sort: "FlowSort",
    shorthand: ["nameLike"],
  },
  {
    method: "readFlowRuns",
    path: "/flow_runs/filter",
    sort: "FlowRunSort",
    shorthand: ["flowIds", "flowNames", "ids", "parentTaskRunIds", "stateNames", "stateTypes"],
  },
  {
    method: "readTaskRuns",
    path: "/task_runs/filter",
    sort: "TaskRunSort",
    shorthand: ["flowRunIds", "ids", "stateNames", "stateTypes"],
  },
  {
    method: "readLogs",
    path: "/logs/filter",
    sort: "LogSort",
    shorthand: ["flowRunId", "minLevel", "order", "taskRunId"],
  },
] as const;

const FILTERS = [
  "FlowFilter",
  "FlowRunFilter",
  "TaskRunFilter",
  "LogFilter",
  "DeploymentFilter",
  "WorkPoolFilter",
  "WorkQueueFilter",
] as const;

/**
 * A probe module beside the tests, type-checked with the project's own settings: each alias is
 * one type a user writes against (the options of a public client method, a filter of them).
 */
const PROBE = join(ROOT, "test/client/listing-types.probe.ts");
const PROBE_TEXT = [
  `import type { PrefectClient } from "../../src/index.ts";`,
  `import type * as F from "../../src/core/filters.ts";`,
  `type Options<K extends keyof PrefectClient> = NonNullable<Parameters<Extract<PrefectClient[K], (o?: never) => unknown>>[0]>;`,
  ...METHODS.flatMap(({ method }) => [
    `export type ${method}Options = Options<"${method}">;`,
    `export type ${method}Sort = NonNullable<Options<"${method}">["sort"]>;`,
  ]),
  `export type countFlowRunsOptions = Options<"countFlowRuns">;`,
  `export type countTaskRunsOptions = Options<"countTaskRuns">;`,
  ...FILTERS.map((name) => `export type ${name} = F.${name};`),
].join("\n");

let checker: ts.TypeChecker;
let probe: Map<string, ts.Type>;
let diagnostics: readonly ts.Diagnostic[];

before(() => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  assert.ok(config, "tsconfig.json parses");
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, version, ...rest) =>
    fileName === PROBE
      ? ts.createSourceFile(fileName, PROBE_TEXT, version)
      : getSourceFile(fileName, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === PROBE || fileExists(fileName);
  const program = ts.createProgram({
    rootNames: [PROBE],
    options: { ...config.options, noEmit: true },
    host,
  });
  checker = program.getTypeChecker();
  const source = program.getSourceFile(PROBE);
  assert.ok(source);
  diagnostics = ts.getPreEmitDiagnostics(program, source);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol);
  probe = new Map(
    checker
      .getExportsOfModule(moduleSymbol)
      .map((symbol) => [symbol.name, checker.getDeclaredTypeOfSymbol(symbol)]),
  );
});

function typeOf(name: string): ts.Type {
  const type = probe.get(name);
  assert.ok(type, `${name} is declared`);
  return type;
}

/** The string literals a type admits (a union of them, or one). */
function literals(type: ts.Type): string[] {
  const members = type.isUnion() ? type.types : [type];
  return members.map((t) => {
    assert.ok(t.isStringLiteral(), `${checker.typeToString(t)} is a string literal`);
    return t.value;
  });
}

/** An object type's properties, if it is a plain object (not an array, a primitive or a union of literals). */
function objectProperties(type: ts.Type): ts.Symbol[] | undefined {
  const t = checker.getNonNullableType(type);
  if (!(t.flags & ts.TypeFlags.Object) || checker.isArrayType(t)) return undefined;
  return checker.getPropertiesOfType(t);
}

/** Where the type and Prefect's component differ in their fields, at any depth. */
function differences(type: ts.Type, theirs: JsonSchema, path: string): string[] {
  const props = objectProperties(type);
  if (!props || !theirs.properties) return [];
  const mine = props.map((p) => p.name).sort();
  const prefect = Object.keys(theirs.properties).sort();
  const out: string[] = [];
  for (const key of prefect) if (!mine.includes(key)) out.push(`${path}.${key}: missing`);
  for (const key of mine) if (!prefect.includes(key)) out.push(`${path}.${key}: not Prefect's`);
  for (const prop of props) {
    const nested = referenced(theirs.properties[prop.name]);
    if (nested)
      out.push(...differences(checker.getTypeOfSymbol(prop), nested, `${path}.${prop.name}`));
  }
  return out;
}

describe("the SDK's listing options are Prefect's filter grammar", () => {
  it("the probe type-checks", () => {
    assert.deepEqual(
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
      [],
    );
  });

  for (const { method, sort } of METHODS) {
    it(`${method}({ sort }) takes exactly Prefect's ${sort}`, () => {
      assert.deepEqual(
        literals(typeOf(`${method}Sort`)).sort(),
        [...(components[sort]?.enum ?? [])].sort(),
      );
    });
  }

  for (const { method, path, shorthand } of METHODS) {
    it(`${method}'s options: every field of Prefect's body, and only the documented shorthand besides`, () => {
      const options = objectProperties(typeOf(`${method}Options`))?.map((p) => p.name) ?? [];
      const body = Object.keys(bodyOf(path).properties ?? {});
      assert.deepEqual(
        body.filter((k) => !options.includes(k)),
        [],
        "Prefect's fields the options lack",
      );
      assert.deepEqual(options.filter((k) => !body.includes(k)).sort(), [...shorthand].sort());
    });
  }

  it("each body's filters have exactly Prefect's criteria, at every depth", () => {
    const found: string[] = [];
    for (const { method, path } of METHODS) {
      const body = bodyOf(path);
      for (const prop of objectProperties(typeOf(`${method}Options`)) ?? []) {
        const theirs = referenced(body.properties?.[prop.name]);
        if (theirs)
          found.push(
            ...differences(checker.getTypeOfSymbol(prop), theirs, `${method}.${prop.name}`),
          );
      }
    }
    for (const name of FILTERS) {
      const theirs = components[name];
      assert.ok(theirs, `${name} is in prefect-openapi.json`);
      found.push(...differences(typeOf(name), theirs, name));
    }
    assert.deepEqual(found, []);
  });

  it("count takes the criteria of Prefect's count body", () => {
    for (const [name, path] of [
      ["countFlowRunsOptions", "/flow_runs/count"],
      ["countTaskRunsOptions", "/task_runs/count"],
    ] as const) {
      const options = objectProperties(typeOf(name))?.map((p) => p.name) ?? [];
      const body = Object.keys(bodyOf(path).properties ?? {});
      assert.deepEqual(
        body.filter((k) => !options.includes(k)),
        [],
        `${name}: Prefect's fields the options lack`,
      );
    }
  });
});
