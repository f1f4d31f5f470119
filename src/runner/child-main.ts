/**
 * A serving process's child: loads the served flows from their entrypoints and opens its client
 * before it is given a run (so a run starts in milliseconds), then runs the flow runs its parent
 * gives it, one at a time, until it retires (after `runsPerProcess` runs, or past its memory
 * bound) or its parent is gone. A run that crashes or exits this process takes only this process
 * down: the parent marks the run Crashed and starts another child.
 */
import type { FlowHandle } from "../engine/flow-handle.ts";
import { shutdownRuntime } from "../engine/process-runtime.ts";
import { type ChildInit, type FromChild, flowKey, type ToChild } from "./child-protocol.ts";
import { loadFlow } from "./load-entrypoint.ts";

const init = JSON.parse(process.argv[2] ?? "{}") as ChildInit;
const handles = new Map<string, FlowHandle>();
const errors: Record<string, string> = {};
let running = false;
let runs = 0;

function send(message: FromChild): void {
  process.send?.(message);
}

async function retire(): Promise<never> {
  // the last records are sent while the API answers; a child never outlives that by long
  setTimeout(() => process.exit(0), 10_000).unref();
  await shutdownRuntime().catch(() => undefined);
  process.exit(0);
}

// the parent is gone (killed, or exited): a run under way ends as a signal would end it
process.on("disconnect", () => {
  if (running) process.kill(process.pid, "SIGTERM");
  else void retire();
});

process.on("message", (message: ToChild) => {
  if (message.type === "retire") {
    if (!running) void retire();
    return;
  }
  if (message.type === "run") void run(message);
});

async function run(message: Extract<ToChild, { type: "run" }>): Promise<void> {
  running = true;
  const key = flowKey(message.entrypoint, message.flowName);
  const handle = handles.get(key);
  let finished: FromChild;
  if (!handle) {
    finished = {
      type: "finished",
      flowRunId: message.flowRun.id,
      state: null,
      error: errors[key] ?? `Entrypoint '${message.entrypoint}' was not loaded`,
      retiring: false,
    };
  } else {
    try {
      const state = await handle.runFlowRun(message.flowRun);
      finished = {
        type: "finished",
        flowRunId: message.flowRun.id,
        state,
        error: null,
        retiring: false,
      };
    } catch (error) {
      finished = {
        type: "finished",
        flowRunId: message.flowRun.id,
        state: null,
        error: error instanceof Error ? error.message : String(error),
        retiring: false,
      };
    }
  }
  runs += 1;
  const retiring =
    runs >= init.runsPerProcess || process.memoryUsage().rss > init.maxMemoryMb * 1024 * 1024;
  finished.retiring = retiring;
  running = false;
  send(finished);
  if (retiring) await retire();
}

async function start(): Promise<void> {
  for (const { entrypoint, flowName } of init.flows) {
    const key = flowKey(entrypoint, flowName);
    try {
      const handle = await loadFlow(entrypoint, { flowName });
      handles.set(key, handle);
      await handle.prepare();
    } catch (error) {
      errors[key] = error instanceof Error ? error.message : String(error);
    }
  }
  send({ type: "ready", errors });
}

await start();
