import type { BaseOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** A task run that already ran is renamed `Retrying` (after AwaitingRetry) or `Rerunning`. */
export const RenameReruns: OrchestrationRule<BaseOrchestrationContext> = {
  name: "RenameReruns",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  before(t) {
    if (!t.initial || t.ctx.run.run_count <= 0) return;
    t.rename(t.initial.name === "AwaitingRetry" ? "Retrying" : "Rerunning");
  },
};
