/**
 * `prefect-ts flow-run retry <id> [-- command…]`: put a failed, crashed or cancelled flow run back
 * in `AwaitingRetry` (as the UI's Retry button does), and — given a command — run it with
 * `PREFECT__FLOW_RUN_ID` set, so the flow call in it attaches to that flow run as its next attempt.
 * Task runs that completed with persisted results in earlier attempts are reused, not run again.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { Command } from "commander";
import { notFound } from "../../cli/commands/run-kind.ts";
import { CliError, type CliIo, requireUuid, withClient } from "../../cli/support.ts";
import { StateType } from "../../core/state-types.ts";
import { nowIso } from "../../core/time.ts";

const RETRIABLE = new Set<string>([StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]);

export function registerRetry(group: Command, io: CliIo): void {
  group
    .command("retry")
    .description(
      "Retry a failed flow run: mark it AwaitingRetry and, given a command, run it attached to the flow run.",
    )
    .argument("<id>", "The flow run ID")
    .argument("[command...]", "The command that runs the flow (after --), e.g. -- npx tsx etl.ts")
    .action(async (rawId: string, command: string[]) => {
      const id = requireUuid(rawId);
      const run = await withClient(async (client) => {
        const found = await client.readFlowRun(id).catch(notFound("Flow run", id));
        if (!RETRIABLE.has(found.state_type ?? ""))
          throw new CliError(
            `Flow run '${found.name}' is ${found.state_name ?? "in no state"}: only failed, crashed or cancelled flow runs can be retried.`,
          );
        await client.setFlowRunState(
          id,
          {
            type: StateType.SCHEDULED,
            name: "AwaitingRetry",
            message: "Retry from the CLI",
            state_details: { scheduled_time: nowIso() },
          },
          { force: true },
        );
        return found;
      });
      if (command.length === 0) {
        io.out(
          `Flow run '${run.name}' is AwaitingRetry. Run the flow with PREFECT__FLOW_RUN_ID=${id} to execute the retry (completed task runs with persisted results are reused).`,
        );
        return;
      }
      io.out(`Flow run '${run.name}' is AwaitingRetry; running: ${command.join(" ")}`);
      const [bin, ...args] = command as [string, ...string[]];
      const child = spawn(bin, args, {
        stdio: "inherit",
        env: { ...process.env, PREFECT__FLOW_RUN_ID: id },
      });
      const [code] = (await once(child, "exit")) as [number | null];
      if (code !== 0) throw new CliError(`The retry command exited with code ${code}`, code ?? 1);
    });
}
