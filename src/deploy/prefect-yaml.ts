/**
 * Reading a `prefect.yaml` (Prefect's deployment file): `name`, `prefect-version`, the `build`,
 * `push` and `pull` sections, `definitions` (anchors to reuse, `<<` merges included) and
 * `deployments`. What does not parse, or is not Prefect's format — an unknown key, a value of the
 * wrong kind — is an error naming the file, the line and the column.
 */
import { readFileSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { ValidationError } from "../core/errors.ts";
import type { DeploymentStep } from "./steps.ts";

const Mapping = z.record(z.string(), z.unknown());
const Step = z.record(z.string(), z.union([Mapping, z.null()]));
const Steps = z.array(Step).nullable().optional();
const Text = z.union([z.string(), z.number()]).transform(String);

const ScheduleConfig = z.strictObject({
  cron: z.string().optional(),
  interval: z.union([z.number().positive(), z.string()]).optional(),
  rrule: z.string().optional(),
  timezone: z.string().nullable().optional(),
  anchor_date: z.string().nullable().optional(),
  day_or: z.boolean().optional(),
  active: z.union([z.boolean(), z.string()]).optional(),
  parameters: Mapping.nullable().optional(),
  slug: z.string().nullable().optional(),
  max_scheduled_runs: z.number().int().positive().nullable().optional(),
});

const ConcurrencyConfig = z.union([
  z.number().int().positive(),
  z.strictObject({
    limit: z.number().int().positive(),
    collision_strategy: z.enum(["ENQUEUE", "CANCEL_NEW"]).optional(),
    grace_period_seconds: z.number().int().min(60).max(86_400).nullable().optional(),
  }),
]);

const WorkPoolConfig = z.strictObject({
  name: z.string().nullable().optional(),
  work_queue_name: z.string().nullable().optional(),
  job_variables: Mapping.nullable().optional(),
});

const DeploymentConfigSchema = z.strictObject({
  name: z.string().nullable().optional(),
  flow_name: z.string().nullable().optional(),
  version: Text.nullable().optional(),
  version_type: z.string().nullable().optional(),
  tags: z.array(Text).nullable().optional(),
  description: z.string().nullable().optional(),
  schedule: ScheduleConfig.nullable().optional(),
  schedules: z.array(ScheduleConfig).nullable().optional(),
  concurrency_limit: ConcurrencyConfig.nullable().optional(),
  entrypoint: z.string().nullable().optional(),
  parameters: Mapping.nullable().optional(),
  enforce_parameter_schema: z.boolean().nullable().optional(),
  paused: z.boolean().nullable().optional(),
  work_pool: WorkPoolConfig.nullable().optional(),
  build: Steps,
  push: Steps,
  pull: Steps,
  triggers: z.array(z.unknown()).nullable().optional(),
  sla: z.array(z.unknown()).nullable().optional(),
});

const PrefectYamlSchema = z.strictObject({
  name: Text.nullable().optional(),
  "prefect-version": Text.nullable().optional(),
  build: Steps,
  push: Steps,
  pull: Steps,
  deployments: z.array(DeploymentConfigSchema).nullable().optional(),
  definitions: z.unknown().optional(),
});

export type ScheduleConfig = z.infer<typeof ScheduleConfig>;
export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/** A deployment of the file, with where it is written (`prefect.yaml:12`). */
export interface DeploymentEntry {
  config: DeploymentConfig;
  location: string;
}

export interface PrefectYaml {
  /** The file's path, as given. */
  file: string;
  name: string | null;
  build: DeploymentStep[] | null;
  push: DeploymentStep[] | null;
  pull: DeploymentStep[] | null;
  deployments: DeploymentEntry[];
}

/** A `prefect.yaml` that does not parse or is not Prefect's format. */
export class PrefectYamlError extends ValidationError {}

type Segment = string | number;

/** The node at `path` (through aliases), and the key node of its last step when it is a key. */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: readonly Segment[]) {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  let key: Node | null = null;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    key = null;
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isScalar(p.key) ? String(p.key.value) === String(segment) : false,
      );
      if (!pair) break;
      key = isScalar(pair.key) ? pair.key : null;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else break;
    if (node && typeof node === "object" && "range" in node && (node as Node).range)
      best = node as Node;
  }
  return { node: best, key };
}

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "the file";
}

function describeIssue(issue: z.core.$ZodIssue): { path: Segment[]; message: string } {
  const path = issue.path.filter((p): p is Segment => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const [first] = issue.keys;
    const where = pathText(path);
    return {
      path: first === undefined ? path : [...path, first],
      message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")} in ${where}`,
    };
  }
  return { path, message: `${pathText(path)}: ${issue.message}` };
}

/** Parse the text of a `prefect.yaml` (`file` names it in messages). */
export function parsePrefectYaml(text: string, file: string): PrefectYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const [syntax] = doc.errors;
  if (syntax) {
    const message = syntax.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "");
    throw new PrefectYamlError(`${at(syntax.pos[0])}: ${message}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    throw new PrefectYamlError(
      `${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new PrefectYamlError(
      `${file}: a prefect.yaml is a mapping (name, build, push, pull, deployments)`,
    );
  const parsed = PrefectYamlSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const { path, message } = describeIssue(issue);
    const { node, key } = nodeAt(doc, path);
    // an unknown key is pointed at by its key, a bad value by the value
    const spot = issue.code === "unrecognized_keys" ? (key ?? node) : node;
    throw new PrefectYamlError(`${at(spot?.range?.[0])}: ${message}`);
  }
  const value = parsed.data;
  return {
    file,
    name: value.name ?? null,
    build: value.build ?? null,
    push: value.push ?? null,
    pull: value.pull ?? null,
    deployments: (value.deployments ?? []).map((config, i) => ({
      config,
      location: at(nodeAt(doc, ["deployments", i]).node?.range?.[0]),
    })),
  };
}

/** Read and parse a `prefect.yaml`. */
export function readPrefectYaml(path: string, shownAs: string = path): PrefectYaml {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new PrefectYamlError(`${shownAs}: cannot read it: ${why}`, { cause: error });
  }
  return parsePrefectYaml(text, shownAs);
}
