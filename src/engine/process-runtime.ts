/**
 * Process-wide engine state: the settings, the client (opened lazily, closed at exit), the write
 * queue, and SIGTERM/SIGINT handling that ends active runs `Crashed` and flushes before exiting.
 */

import { createClient } from "../client/get-client.ts";
import type { PrefectClient } from "../client/prefect-client.ts";
import { loadSettings, type Settings } from "../settings/settings.ts";
import { flushConsole } from "./console-sink.ts";
import { parseLevel } from "./logging.ts";
import { followRunner } from "./parent-watch.ts";
import { RunRecorder } from "./run-recorder.ts";

/** Something that must be ended when the process is told to stop. */
export interface ActiveRun {
  /** The flow run (a top-level run of this process). */
  flowRunId?: string;
  /** End the run (e.g. propose Crashed, run hooks). Must not throw. */
  terminate(signal: string): Promise<void>;
  /** End the run Cancelled (hooks run, nothing proposed for the flow run). Must not throw. */
  cancel?(message: string): Promise<void>;
}

interface Runtime {
  settings: Settings;
  logLevel: number;
  client: PrefectClient;
  recorder: RunRecorder;
}

let runtimePromise: Promise<Runtime> | null = null;
const activeRuns = new Set<ActiveRun>();
let handlersInstalled = false;
let terminating = false;

/** The engine runtime of this process, created on first use. */
export function getRuntime(): Promise<Runtime> {
  if (!runtimePromise) {
    runtimePromise = (async () => {
      const settings = loadSettings();
      followRunner();
      const client = await createClient(settings);
      client.prepare?.();
      const recorder = new RunRecorder(client);
      process.once("beforeExit", () => {
        shutdownRuntime().catch((error: unknown) => {
          // the process was ending anyway: say what was not delivered, and end it unsuccessfully
          process.stderr.write(
            `prefect-ts ERROR: could not deliver the last records of this process: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exitCode = 1;
        });
      });
      return { settings, logLevel: parseLevel(settings.loggingLevel), client, recorder };
    })();
    runtimePromise.catch(() => {
      runtimePromise = null;
    });
  }
  return runtimePromise;
}

/**
 * Use this client for the runs of this process instead of the one the settings name (the test
 * harness uses it to point the SDK at a test database). Call `shutdownRuntime()` to undo.
 */
export function useClient(client: PrefectClient, settings: Settings = loadSettings()): void {
  runtimePromise = Promise.resolve({
    settings,
    logLevel: parseLevel(settings.loggingLevel),
    client,
    recorder: new RunRecorder(client),
  });
}

/** Flush and close the runtime's client (at exit, or in tests). */
export async function shutdownRuntime(): Promise<void> {
  const pending = runtimePromise;
  runtimePromise = null;
  if (!pending) return;
  const rt = await pending;
  try {
    await rt.recorder.flush();
  } finally {
    await rt.client.close();
  }
}

/** Register an active run for signal handling; returns the function that unregisters it. */
export function trackActiveRun(run: ActiveRun): () => void {
  installSignalHandlers();
  activeRuns.add(run);
  return () => activeRuns.delete(run);
}

/**
 * Cancel a flow run this process is running (told by its worker or serving process): resolves
 * once the engine has ended it (its call then returns a Cancelled state); false when it does not
 * run here.
 */
export async function cancelActiveRun(flowRunId: string, message: string): Promise<boolean> {
  const run = [...activeRuns].find((r) => r.flowRunId === flowRunId && r.cancel);
  if (!run?.cancel) return false;
  await run.cancel(message);
  return true;
}

/**
 * A promise that never settles while the process is being terminated by a signal: callers whose
 * run was crashed by the signal wait here instead of throwing, so the process exits with the
 * signal's code once every record is flushed (rather than with an unhandled-error code).
 */
export function untilTerminated(): Promise<never> {
  return new Promise<never>(() => undefined);
}

export function isTerminating(): boolean {
  return terminating;
}

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

/**
 * A signal repeated within this window is the same request (a runner such as tsx forwards the
 * signal its process group already got; Ctrl-C reaches every process of the group): it must not
 * cut short the crash report. A signal after it forces the exit.
 */
const REPEATED_SIGNAL_MS = 1000;
let terminatingSince = 0;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      void onSignal(signal);
    });
  }
}

async function onSignal(signal: "SIGTERM" | "SIGINT"): Promise<void> {
  const code = SIGNAL_EXIT[signal] ?? 1;
  if (terminating && Date.now() - terminatingSince < REPEATED_SIGNAL_MS) return;
  if (terminating || activeRuns.size === 0) {
    flushConsole();
    process.exit(code);
  }
  terminating = true;
  terminatingSince = Date.now();
  const guard = setTimeout(() => {
    flushConsole();
    process.exit(code);
  }, 8000);
  guard.unref();
  try {
    await Promise.allSettled([...activeRuns].map((run) => run.terminate(signal)));
    // flush the records, then close the client (which confirms the API has every event sent)
    await shutdownRuntime().catch(() => undefined);
  } finally {
    flushConsole();
    process.exit(code);
  }
}
