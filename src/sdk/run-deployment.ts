/**
 * `runDeployment(name | id, options)`: create a run of a deployment (Prefect's `run_deployment`)
 * and wait for it to end — or not (`timeout: 0`). Called inside a flow, the run is a subflow of
 * it, linked through a parent task run named after the deployment, as Prefect links it.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import type { Deployment } from "../core/deployments.ts";
import { isUuid } from "../core/ids.ts";
import type { FlowRun } from "../core/runs.ts";
import { StateType, TERMINAL_STATE_TYPES } from "../core/state-types.ts";
import { runScope } from "../engine/context.ts";
import { getRuntime } from "../engine/process-runtime.ts";
import { nextDynamicKey } from "../engine/task-engine.ts";

export interface RunDeploymentOptions {
  /** Parameters of the run, over the deployment's. */
  parameters?: Record<string, unknown>;
  /**
   * Seconds to wait for the run to end (default: as long as it takes); 0 returns the run as soon
   * as it is created. The run is returned as it stands when the time is up.
   */
  timeout?: number | null;
  /** Seconds between looks at the run while waiting, at most (default 1; the first are sooner). */
  pollInterval?: number;
  /** When to run it (ISO 8601; default now). */
  scheduledTime?: string;
  /** The run's name (default: generated). */
  flowRunName?: string;
  /** Added to the deployment's tags. */
  tags?: string[];
  idempotencyKey?: string;
  jobVariables?: Record<string, unknown>;
  /** Link the run as a subflow of the calling flow run (default true). */
  asSubflow?: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

async function readDeployment(client: PrefectClient, nameOrId: string): Promise<Deployment> {
  return isUuid(nameOrId)
    ? client.deployments.read(nameOrId)
    : client.deployments.readByName(nameOrId);
}

/**
 * The task run that stands for the deployment's run in the calling flow run: named
 * `<flow>/<deployment>`, keyed per call, Pending; the server mirrors the child run's states on it.
 */
async function parentTaskRun(
  client: PrefectClient,
  deployment: Deployment,
  parameters: Record<string, unknown>,
): Promise<string | null> {
  const scope = runScope.getStore();
  const parent = scope?.flow;
  if (!parent) return null;
  const flow = await client.readFlow(deployment.flow_id);
  const name = `${flow.name}/${deployment.name}`;
  const taskKey = `${name}-run_deployment`;
  const dynamicKey = nextDynamicKey(parent, taskKey);
  const taskRun = await client.createTaskRun({
    flow_run_id: parent.flowRun.id,
    task_key: taskKey,
    dynamic_key: dynamicKey,
    name: `${name}-${dynamicKey}`,
    cache_key: null,
    cache_expiration: null,
    task_version: deployment.version,
    empirical_policy: {
      max_retries: 0,
      retry_delay_seconds: 0,
      retries: 0,
      retry_delay: 0,
      retry_jitter_factor: null,
    },
    tags: [],
    labels: {},
    task_inputs: Object.fromEntries(Object.keys(parameters).map((k) => [k, []])),
    state: { type: StateType.PENDING, name: "Pending" },
  });
  return taskRun.id;
}

/** Wait for a flow run to reach a final state, up to `timeoutMs` (null: no limit). */
export async function waitForFlowRun(
  client: PrefectClient,
  id: string,
  timeoutMs: number | null,
  maxIntervalMs = 1000,
): Promise<FlowRun> {
  const deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  let interval = 20;
  for (;;) {
    const run = await client.readFlowRun(id);
    if (run.state_type && TERMINAL_STATE_TYPES.has(run.state_type)) return run;
    const left = deadline - Date.now();
    if (left <= 0) return run;
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, maxIntervalMs);
  }
}

/**
 * Run a deployment (`"flow-name/deployment-name"` or its id): create a run with these parameters
 * over the deployment's and wait for it to end (see `timeout`). Resolves with the flow run.
 */
export async function runDeployment(
  nameOrId: string,
  options: RunDeploymentOptions = {},
): Promise<FlowRun> {
  const { client } = await getRuntime();
  const deployment = await readDeployment(client, nameOrId);
  const parameters = options.parameters ?? {};
  const parentTaskRunId =
    (options.asSubflow ?? true) ? await parentTaskRun(client, deployment, parameters) : null;
  const run = await client.deployments.createFlowRun(deployment.id, {
    parameters,
    name: options.flowRunName,
    tags: options.tags,
    idempotencyKey: options.idempotencyKey,
    jobVariables: options.jobVariables,
    parentTaskRunId: parentTaskRunId ?? undefined,
    state: options.scheduledTime
      ? {
          type: StateType.SCHEDULED,
          name: "Scheduled",
          state_details: { scheduled_time: options.scheduledTime },
        }
      : undefined,
  });
  const timeout = options.timeout ?? null;
  if (timeout === 0) return run;
  return waitForFlowRun(
    client,
    run.id,
    timeout === null ? null : timeout * 1000,
    (options.pollInterval ?? 1) * 1000,
  );
}
