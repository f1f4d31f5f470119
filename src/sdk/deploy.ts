/**
 * `flow.deploy(options)` (Prefect's `Flow.deploy`): register a deployment of the flow in a work
 * pool, for workers to run — its flow, parameters' schema, schedules and job variables, where its
 * code is (`entrypoint` relative to `path`, the project's directory) and how a worker gets there
 * (`pull_steps`, by default Prefect's for a project on this machine: `set_working_directory` to
 * `path`). Resolves with the deployment's id. `prefect-ts deploy` comes here too, through the
 * flow's handle.
 */
import { isAbsolute, resolve } from "node:path";
import { createClient } from "../client/get-client.ts";
import type { PrefectClient } from "../client/prefect-client.ts";
import {
  ErrorCode,
  isPrefectTsError,
  ObjectNotFoundError,
  ValidationError,
} from "../core/errors.ts";
import { type DeploymentStep, setWorkingDirectoryStep } from "../deploy/pull-steps.ts";
import { entrypointMode } from "../engine/flow-handle.ts";
import { loadSettings } from "../settings/settings.ts";
import { entrypointOf } from "./definition-site.ts";
import { type DeployableFlow, type DeploymentOptions, toDeployment } from "./serve.ts";

export interface FlowDeployOptions extends DeploymentOptions {
  /** The deployment's name. */
  name: string;
  /** The work pool whose workers run it (it must exist: `prefect-ts work-pool create`). */
  workPoolName: string;
  /** The pool's queue (default: the pool's default queue). */
  workQueueName?: string;
  /**
   * The project's directory, stored as the deployment's `path`; `entrypoint` is relative to it
   * (default: the working directory).
   */
  path?: string;
  /**
   * What a worker runs before loading the flow (Prefect's `pull` steps: `git_clone`,
   * `set_working_directory`, `run_shell_script`); default: `set_working_directory` to `path`.
   */
  pullSteps?: DeploymentStep[];
}

/** A promise that never settles (a module's `deploy()` while its flows are being loaded). */
const forever = () => new Promise<never>(() => undefined);

/** The pool, or an error saying how to make it. */
export async function requireWorkPool(client: PrefectClient, name: string): Promise<void> {
  try {
    await client.workPools.read(name);
  } catch (error) {
    if (isPrefectTsError(error) && error.code === ErrorCode.OBJECT_NOT_FOUND)
      throw new ObjectNotFoundError(
        `Work pool '${name}' not found: no worker could run this deployment's flow runs. Create it first: prefect-ts work-pool create '${name}' --type process`,
        { cause: error },
      );
    throw error;
  }
}

/** Register a deployment of `flow` in a work pool; resolves with its id. */
export async function deployFlow(
  flow: DeployableFlow,
  options: FlowDeployOptions,
): Promise<string> {
  const mode = entrypointMode();
  if (mode) {
    // the module is being loaded for its flows (by a worker): deploying is not what it is for
    mode.served();
    return forever();
  }
  if (typeof options?.name !== "string" || options.name.trim() === "")
    throw new ValidationError(`flow '${flow.name}'.deploy(): give the deployment a name`);
  if (typeof options.workPoolName !== "string" || options.workPoolName.trim() === "")
    throw new ValidationError(
      `flow '${flow.name}'.deploy(): give a workPoolName (a pool made with prefect-ts work-pool create)`,
    );
  const path = resolve(options.path ?? process.cwd());
  const entrypoint = options.entrypoint ?? entrypointOf(flow.definedAt(), flow.name, path);
  if (!entrypoint)
    throw new ValidationError(
      `flow '${flow.name}': cannot tell which file defines it; give the deployment an entrypoint ("path/to/file.ts:exportName")`,
    );
  if (isAbsolute(entrypoint.slice(0, entrypoint.lastIndexOf(":"))))
    throw new ValidationError(
      `flow '${flow.name}': the entrypoint '${entrypoint}' must be relative to the project's directory ${path}`,
    );
  const { create } = toDeployment(flow, { ...options, entrypoint });
  // a client of its own, closed when done: deploying leaves nothing open behind it
  const client = await createClient(loadSettings());
  try {
    await requireWorkPool(client, options.workPoolName);
    const registered = await client.createFlow({
      name: flow.name,
      parameter_openapi_schema: flow.parameterSchema(),
    });
    const deployment = await client.deployments.create({
      ...create,
      flowId: registered.id,
      path,
      pullSteps: options.pullSteps ?? [setWorkingDirectoryStep(path)],
      workPoolName: options.workPoolName,
      workQueueName: options.workQueueName,
    });
    return deployment.id;
  } finally {
    await client.close();
  }
}
