/**
 * `prefect-ts/worker`: the worker interface, for writing a worker of another kind (Docker,
 * Kubernetes…) — see docs/guides/workers.md — and the process worker `prefect-ts worker start`
 * runs.
 */
export type { RunOutcome } from "../runner/child-pool.ts";
export { BaseWorker, type WorkerJob, type WorkerOptions, WorkerStartError } from "./base-worker.ts";
export {
  jobConfiguration,
  type ProcessJobConfiguration,
  processJobConfiguration,
  templateDefaults,
} from "./job-configuration.ts";
export { deploymentDirectory, ProcessWorker, type ProcessWorkerOptions } from "./process-worker.ts";
