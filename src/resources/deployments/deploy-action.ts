/**
 * What `prefect-ts deploy` does (the command and its options are in `deploy-cli.ts`): each flow is
 * loaded from its entrypoint for its name and parameters' schema; the file's `build` and `push`
 * steps run; then the flow and the deployment are created or updated (upsert by flow and name) with
 * the entrypoint relative to the project's directory, that directory as `path`, and the `pull`
 * steps a worker runs first (Prefect's `set_working_directory` to it by default).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, type CliIo, wantsJson } from "../../cli/support.ts";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { Deployment } from "../../core/deployments.ts";
import {
  applyOverrides,
  type DeployContext,
  type DeployOverrides,
  finishConfig,
  hasOverrides,
  pickDeployments,
  resolveConfig,
} from "../../deploy/deploy-config.ts";
import { type PrefectYaml, readPrefectYaml } from "../../deploy/prefect-yaml.ts";
import { clientVariableReader } from "../../deploy/variables.ts";
import { flowHandleOf } from "../../engine/flow-handle.ts";
import { loadFlow } from "../../runner/load-entrypoint.ts";
import type { Settings } from "../../settings/settings.ts";

/** The options of `deploy`, as commander parses them. */
export interface DeployCliOptions {
  name: string[];
  pool?: string;
  workQueue?: string;
  cron: string[];
  interval: number[];
  rrule: string[];
  timezone?: string;
  anchorDate?: string;
  param?: Record<string, unknown>;
  params?: Record<string, unknown>;
  jobVariable?: Record<string, unknown>;
  tag: string[];
  description?: string;
  version?: string;
  concurrencyLimit?: number;
  enforceParameterSchema?: boolean;
  paused?: boolean;
  all?: boolean;
  prefectFile?: string;
  output?: string;
}

/** A client opened on first use (for `{{ prefect.variables.* }}` and `-o json`), closed at the end. */
class LazyClient {
  #client: Promise<{ client: PrefectClient; settings: Settings }> | null = null;
  get(): Promise<{ client: PrefectClient; settings: Settings }> {
    this.#client ??= (async () => {
      const { loadSettings } = await import("../../settings/settings.ts");
      const { createClient } = await import("../../client/get-client.ts");
      const settings = loadSettings();
      return { client: await createClient(settings), settings };
    })();
    return this.#client;
  }
  async close(): Promise<void> {
    const opened = this.#client;
    this.#client = null;
    if (opened) await (await opened).client.close();
  }
}

/**
 * The entrypoint's export exists (the loader also takes the one flow a module defines without
 * exporting it, for scripts that serve themselves; a deployment names its flow's export). A module
 * still loading — one that calls `serve()` or `deploy()` at its top level — is taken as it is.
 */
async function requireExport(entrypoint: string, projectDir: string): Promise<void> {
  const colon = entrypoint.lastIndexOf(":");
  const file = resolve(projectDir, entrypoint.slice(0, colon));
  const exportName = entrypoint.slice(colon + 1);
  let timer: NodeJS.Timeout | undefined;
  const namespace = await Promise.race([
    import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
    new Promise<null>((ok) => {
      timer = setTimeout(() => ok(null), 200);
    }),
  ]).finally(() => clearTimeout(timer));
  if (namespace && !(exportName in namespace)) {
    const flows = Object.keys(namespace).filter((k) => flowHandleOf(namespace[k]));
    throw new CliError(
      `Entrypoint '${entrypoint}': ${entrypoint.slice(0, colon)} has no export '${exportName}'${flows.length > 0 ? ` (its flows: ${flows.join(", ")})` : ""}`,
    );
  }
}

function uiBase(settings: Settings): { url: string; local: boolean } {
  if (settings.uiUrl) return { url: settings.uiUrl.replace(/\/+$/, ""), local: false };
  return { url: `http://${settings.serverApiHost}:${settings.serverApiPort}`, local: true };
}

export async function deploy(
  entrypoint: string | undefined,
  options: DeployCliOptions,
  io: CliIo,
): Promise<void> {
  const json = wantsJson(options.output);
  const projectDir = process.cwd();
  let file: PrefectYaml | null = null;
  if (options.prefectFile !== undefined) {
    file = readPrefectYaml(resolve(projectDir, options.prefectFile), options.prefectFile);
  } else if (existsSync(resolve(projectDir, "prefect.yaml"))) {
    file = readPrefectYaml(resolve(projectDir, "prefect.yaml"), "prefect.yaml");
  }
  const overrides: DeployOverrides = {
    entrypoint,
    pool: options.pool,
    workQueue: options.workQueue,
    cron: options.cron,
    interval: options.interval,
    rrule: options.rrule,
    timezone: options.timezone,
    anchorDate: options.anchorDate,
    param: options.param,
    params: options.params,
    jobVariables: options.jobVariable,
    tags: options.tag,
    description: options.description,
    version: options.version,
    concurrencyLimit: options.concurrencyLimit,
    enforceParameterSchema: options.enforceParameterSchema,
    paused: options.paused,
  };
  const picked = pickDeployments(file, options.name, options.all ?? false);
  for (const warning of picked.warnings) io.err(warning);
  const several = picked.entries.length > 1;
  if (several && hasOverrides(overrides))
    io.err(
      "Deploying several deployments: the command line's deployment options are ignored (deploy one at a time to give them).",
    );
  const lazy = new LazyClient();
  const log = (line: string) => {
    if (!json) io.out(line);
  };
  const ctx: DeployContext = {
    projectDir,
    env: process.env,
    readVariable: clientVariableReader(async () => (await lazy.get()).client),
    log,
    warn: (line) => io.err(line),
  };
  const done: { id: string; name: string; pool: string }[] = [];
  try {
    if (several)
      log(
        options.all
          ? "Deploying all flows with an existing deployment configuration..."
          : "Deploying flows with selected deployment configurations...",
      );
    for (const entry of picked.entries) {
      const config = several ? entry.config : applyOverrides(entry.config, overrides, options.name);
      const own = { config, location: entry.location };
      const resolved = await resolveConfig(own, ctx);
      const handle = await loadFlow(resolved.entrypoint, { bases: [projectDir] }).catch(
        (error: unknown) => {
          throw new CliError(error instanceof Error ? error.message : String(error));
        },
      );
      await requireExport(resolved.entrypoint, projectDir);
      if (typeof handle.deploy !== "function")
        throw new CliError(
          `Entrypoint '${resolved.entrypoint}': its flow comes from a prefect-ts without deploy(); update the project's prefect-ts`,
        );
      const prepared = await finishConfig(own, resolved, file, ctx);
      const id = await handle.deploy(prepared.options);
      done.push({ id, name: `${handle.name}/${resolved.name}`, pool: resolved.pool });
    }
    if (json) {
      const { client } = await lazy.get();
      const read: Deployment[] = [];
      for (const d of done) read.push(await client.deployments.read(d.id));
      io.out(JSON.stringify(several ? read : read[0], null, 2));
      return;
    }
    const { loadSettings } = await import("../../settings/settings.ts");
    const ui = uiBase(loadSettings());
    for (const d of done) {
      io.out(`Deployment '${d.name}' successfully created with id '${d.id}'.`);
      io.out("");
      io.out(
        `View Deployment in UI: ${ui.url}/deployments/deployment/${d.id}${ui.local ? " (served by prefect-ts server start)" : ""}`,
      );
      io.out("");
      io.out(
        `To execute flow runs from this deployment, start a worker in a separate terminal that pulls work from the '${d.pool}' work pool:`,
      );
      io.out("");
      io.out(`        $ prefect-ts worker start --pool '${d.pool}'`);
      io.out("");
      io.out("To schedule a run for this deployment, use the following command:");
      io.out("");
      io.out(`        $ prefect-ts deployment run '${d.name}'`);
      io.out("");
    }
  } finally {
    await lazy.close();
  }
}
