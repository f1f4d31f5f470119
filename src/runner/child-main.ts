/**
 * A serving process's (or worker's) child: loads the flows it is told of and opens its client
 * before it is given a run (so a run starts in milliseconds), then runs the flow runs its parent
 * gives it, one at a time — loading a flow it has not loaded yet when a run needs it — until it
 * retires (after `runsPerProcess` runs, or past its memory bound) or its parent is gone. A run
 * that crashes or exits this process takes only this process down: the parent marks the run
 * Crashed and starts another child. A run cancelled from outside ends Cancelled here (its task
 * runs and `onCancellation` hooks included) and the child exits, which stops the body.
 */
import type { FlowHandle } from "../engine/flow-handle.ts";
import { cancelActiveRun, shutdownRuntime } from "../engine/process-runtime.ts";
import {
  type ChildInit,
  type FlowSource,
  type FromChild,
  flowKey,
  type ToChild,
} from "./child-protocol.ts";
import { loadFlow } from "./load-entrypoint.ts";

const init = JSON.parse(process.argv[2] ?? "{}") as ChildInit;
const handles = new Map<string, Promise<FlowHandle>>();
let running: string | null = null;
let cancelled = false;
let runs = 0;

function send(message: FromChild, then?: () => void): void {
  if (process.send) process.send(message, undefined, undefined, () => then?.());
  else then?.();
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
  if (message.type === "cancel") {
    if (running === message.flowRunId) {
      cancelled = true;
      void cancel(message.flowRunId, message.message);
    }
    return;
  }
  if (message.type === "run") void run(message);
});

/** Cancel the run; one still being loaded is cancelled as soon as the engine has it. */
async function cancel(flowRunId: string, message: string): Promise<void> {
  while (running === flowRunId) {
    if (await cancelActiveRun(flowRunId, message)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function load(source: FlowSource): Promise<FlowHandle> {
  const key = flowKey(source);
  let found = handles.get(key);
  if (!found) {
    found = loadFlow(source.entrypoint, {
      flowName: source.flowName,
      bases: source.bases?.length ? source.bases : undefined,
    }).then(async (handle) => {
      await handle.prepare();
      return handle;
    });
    handles.set(key, found);
    found.catch(() => handles.delete(key));
  }
  return found;
}

/** Set `env` (and the working directory) for one run; the returned function restores them. */
function enter(env: Record<string, string>, workingDir: string | null): () => void {
  const before = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    before.set(k, process.env[k]);
    process.env[k] = v;
  }
  const cwd = process.cwd();
  if (workingDir) process.chdir(workingDir);
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (workingDir) process.chdir(cwd);
  };
}

async function run(message: Extract<ToChild, { type: "run" }>): Promise<void> {
  running = message.flowRun.id;
  const finished: FromChild = {
    type: "finished",
    flowRunId: message.flowRun.id,
    state: null,
    error: null,
    retiring: false,
  };
  let leave: () => void = () => undefined;
  try {
    leave = enter(message.env, message.workingDir);
    const handle = await load(message.source);
    finished.state = await handle.runFlowRun(message.flowRun);
  } catch (error) {
    finished.error = error instanceof Error ? error.message : String(error);
  } finally {
    leave();
  }
  runs += 1;
  if (cancelled) {
    // its records are delivered; the body may still be running: it ends with this process
    send({ ...finished, retiring: true }, () => process.exit(0));
    return;
  }
  const retiring =
    runs >= init.runsPerProcess || process.memoryUsage().rss > init.maxMemoryMb * 1024 * 1024;
  finished.retiring = retiring;
  running = null;
  send(finished);
  if (retiring) await retire();
}

async function start(): Promise<void> {
  const errors: Record<string, string> = {};
  for (const source of init.flows) {
    try {
      await load(source);
    } catch (error) {
      handles.delete(flowKey(source));
      errors[flowKey(source)] = error instanceof Error ? error.message : String(error);
    }
  }
  send({ type: "ready", errors });
}

await start();
