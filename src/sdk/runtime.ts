/** `runtime.flowRun.*` and `runtime.taskRun.*`: facts about the current run, as Prefect's `prefect.runtime`. */
import { runScope } from "../engine/context.ts";

const flowScope = () => runScope.getStore()?.flow ?? null;
const taskScope = () => runScope.getStore()?.task ?? null;

export const runtime = {
  flowRun: {
    get id(): string | null {
      return flowScope()?.flowRun.id ?? null;
    },
    get name(): string | null {
      return flowScope()?.flowRun.name ?? null;
    },
    get flowName(): string | null {
      return flowScope()?.flowName ?? null;
    },
    get parameters(): Record<string, unknown> {
      return flowScope()?.parameters ?? {};
    },
    get tags(): string[] {
      return flowScope()?.flowRun.tags ?? [];
    },
    get runCount(): number {
      return flowScope()?.flowRun.run_count ?? 0;
    },
    get scheduledStartTime(): string | null {
      return flowScope()?.flowRun.expected_start_time ?? null;
    },
    get parentFlowRunId(): string | null {
      const ctx = flowScope()?.flowRun;
      return ctx ? ((ctx.context.parent_flow_run_id as string | undefined) ?? null) : null;
    },
  },
  taskRun: {
    get id(): string | null {
      return taskScope()?.taskRun.id ?? null;
    },
    get name(): string | null {
      return taskScope()?.taskRun.name ?? null;
    },
    get taskName(): string | null {
      return taskScope()?.taskName ?? null;
    },
    get tags(): string[] {
      return taskScope()?.taskRun.tags ?? [];
    },
    get runCount(): number {
      return taskScope()?.taskRun.run_count ?? 0;
    },
    get parameters(): Record<string, unknown> {
      return taskScope()?.parameters ?? {};
    },
  },
};
