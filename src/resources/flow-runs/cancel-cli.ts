/**
 * `prefect-ts flow-run cancel <id>`: propose `Cancelling` for a flow run, as Prefect's CLI does
 * (the UI's Cancel button proposes the same). What stops the run then: its worker or serving
 * process (a deployment's run), the engine running it (a flow called in a process of its own),
 * or the server's cancellation cleanup (a run with no process left) — see
 * docs/guides/cancellation.md. A run with no infrastructure yet (Scheduled) is Cancelled at once.
 */
import type { Command } from "commander";
import { notFound } from "../../cli/commands/run-kind.ts";
import { CliError, type CliIo, requireUuid, withClient } from "../../cli/support.ts";
import { StateType } from "../../core/state-types.ts";

export function registerCancel(group: Command, io: CliIo): void {
  group
    .command("cancel")
    .description("Cancel a flow run by ID.")
    .argument("<id>", "The flow run ID")
    .action(async (rawId: string) => {
      const id = requireUuid(rawId);
      const result = await withClient((client) =>
        client
          .setFlowRunState(id, { type: StateType.CANCELLING, name: "Cancelling" })
          .catch(notFound("Flow run", id)),
      );
      if (result.status === "ABORT") {
        const reason = "reason" in result.details ? result.details.reason : null;
        throw new CliError(`Flow run '${id}' was unable to be cancelled. Reason: '${reason}'`);
      }
      io.out(`Flow run '${id}' was successfully scheduled for cancellation.`);
    });
}
