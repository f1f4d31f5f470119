/**
 * `prefect-ts flow-run execute <id>`: run an existing flow run of a deployment in this process —
 * run the deployment's `pull_steps` (Prefect's `set_working_directory`, `git_clone`,
 * `run_shell_script`) and work in the directory they end in, load the flow from the deployment's
 * entrypoint (relative to that directory, else to the deployment's `path`, else to the working
 * directory), claim the run (Pending), and run it with its parameters (what a worker starts for
 * each flow run). Exits 0 when the run completes, 1 otherwise; a pull step that fails, or an
 * entrypoint that does not load or names no flow, ends the run Crashed with the reason.
 */
import { isAbsolute } from "node:path";
import type { Command } from "commander";
import { notFound } from "../../cli/commands/run-kind.ts";
import { CliError, type CliIo, requireUuid, withClient } from "../../cli/support.ts";
import type { FlowRun } from "../../core/runs.ts";
import { StateType, TERMINAL_STATE_TYPES } from "../../core/state-types.ts";
import type { FlowHandle } from "../../engine/flow-handle.ts";

interface Prepared {
  run: FlowRun;
  handle: FlowHandle | null;
  failure: string | null;
}

export function registerExecute(group: Command, io: CliIo): void {
  group
    .command("execute")
    .description(
      "Execute a flow run of a deployment in this process: load its flow from the deployment's entrypoint and run it.",
    )
    .argument("<id>", "The flow run ID")
    .action(async (rawId: string) => {
      const id = requireUuid(rawId);
      const prepared = await withClient(async (client): Promise<Prepared> => {
        const run = await client.readFlowRun(id).catch(notFound("Flow run", id));
        if (run.state_type && TERMINAL_STATE_TYPES.has(run.state_type))
          throw new CliError(
            `Flow run '${run.name}' is already ${run.state_name ?? run.state_type}: nothing to execute.`,
          );
        if (!run.deployment_id)
          throw new CliError(
            `Flow run '${run.name}' has no deployment: only runs of a deployment can be executed.`,
          );
        const deployment = await client.deployments.read(run.deployment_id);
        const flow = await client.readFlow(run.flow_id);
        let handle: FlowHandle | null = null;
        let failure: string | null = null;
        if (!deployment.entrypoint) {
          failure = `Deployment '${flow.name}/${deployment.name}' has no entrypoint to load the flow from`;
        } else {
          const bases = [process.cwd()];
          try {
            // the pull steps and the loader: loaded by this command, not by every other
            const [{ runPullSteps }, { clientVariableReader }, { loadFlow }] = await Promise.all([
              import("../../deploy/pull-steps.ts"),
              import("../../deploy/variables.ts"),
              import("../../runner/load-entrypoint.ts"),
            ]);
            if (deployment.pull_steps && deployment.pull_steps.length > 0) {
              const { directory } = await runPullSteps(deployment.pull_steps, {
                cwd: process.cwd(),
                log: (line) => io.out(line),
                readVariable: clientVariableReader(async () => client),
              });
              // the flow runs where its code is, as Prefect's engine changes to it
              process.chdir(directory);
              bases.unshift(directory);
            }
            if (deployment.path && isAbsolute(deployment.path)) bases.push(deployment.path);
            handle = await loadFlow(deployment.entrypoint, { flowName: flow.name, bases });
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
        }
        if (failure) {
          await client.setFlowRunState(
            id,
            { type: StateType.CRASHED, name: "Crashed", message: failure, state_details: {} },
            { force: true },
          );
          return { run, handle, failure };
        }
        // claimed as a worker claims it, unless a runner or worker already did
        if (run.state_type === StateType.SCHEDULED) {
          const claim = await client.setFlowRunState(id, {
            type: StateType.PENDING,
            name: "Pending",
            state_details: {},
          });
          if (claim.status !== "ACCEPT" || !claim.state)
            throw new CliError(
              `Flow run '${run.name}' could not be claimed (${claim.status}): ${(claim.details as { reason?: string }).reason ?? "it is taken"}`,
            );
          run.state = claim.state;
          run.state_id = claim.state.id;
          run.state_type = claim.state.type;
          run.state_name = claim.state.name;
        }
        return { run, handle, failure };
      });
      if (prepared.failure || !prepared.handle)
        throw new CliError(`Flow run '${prepared.run.name}' crashed: ${prepared.failure}`);
      const state = await prepared.handle.runFlowRun(prepared.run);
      if (state.type !== StateType.COMPLETED)
        throw new CliError(
          `Flow run '${prepared.run.name}' finished in state ${state.name ?? state.type}${state.message ? `: ${state.message}` : ""}`,
        );
      io.out(`Flow run '${prepared.run.name}' finished in state ${state.name ?? state.type}.`);
    });
}
