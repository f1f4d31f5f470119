/** Errors a flow author meets: run outcomes, and the control errors that end a run in a given state. */
import { ErrorCode, PrefectTsError } from "./errors.ts";
import { StateType } from "./state-types.ts";

interface StateLike {
  type: StateType;
  name: string;
  message: string | null;
  data: unknown;
}

/** Thrown by `result()` of a Failed state that carries no error of this process. */
export class FailedRun extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_FAILED, message);
  }
}

/** Thrown by `result()` of a Crashed state. */
export class CrashedRun extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_CRASHED, message);
  }
}

/** Thrown by `result()` of a Cancelled state. */
export class CancelledRun extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_CANCELLED, message);
  }
}

/** Thrown when a state's result is not available in this process. */
export class MissingResultError extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.MISSING_RESULT, message);
  }
}

/** Thrown inside a run when it exceeds `timeoutSeconds`; the run ends `TimedOut`. */
export class RunTimeoutError extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_TIMEOUT, message);
  }
}

/** Throw to stop the engine orchestrating a run (Prefect's `Abort`); also raised on an ABORT answer. */
export class Abort extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_ABORTED, message);
  }
}

/** Throw (or received as SIGTERM/SIGINT) to end the run `Crashed` (Prefect's `TerminationSignal`). */
export class TerminationSignal extends PrefectTsError {
  readonly signal: string;
  constructor(signal: string) {
    super(
      ErrorCode.TERMINATION_SIGNAL,
      `Execution was cancelled by the runtime environment (${signal}).`,
    );
    this.signal = signal;
  }
}

/**
 * The abort reason of a flow run cancelled from outside its process (`flow-run cancel`, the UI):
 * the engine stops waiting for the body, ends its unfinished task runs Cancelled, runs the
 * `onCancellation` hooks and returns a Cancelled state; the process that runs it then ends, which
 * stops the body, and its worker or serving process reports the run Cancelled.
 */
export class FlowRunCancellation extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.RUN_CANCELLED, message);
  }
}

/** A task's upstream did not complete; the task is left `NotReady` and its body never runs. */
export class UpstreamTaskError extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.UPSTREAM_FAILED, message);
  }
}

/** Flow parameters failed validation; the run ends `Failed` with this message. */
export class ParameterValidationError extends PrefectTsError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[]) {
    super(ErrorCode.PARAMETER_VALIDATION, message);
    this.issues = issues;
  }
}

/** Thrown when a runtime helper is used outside a flow or task run. */
export class MissingContextError extends PrefectTsError {
  constructor(message: string) {
    super(ErrorCode.MISSING_CONTEXT, message);
  }
}

/** The error `result()` throws for a failed, crashed or cancelled state. */
export function stateError(state: StateLike): Error {
  if (state.data instanceof Error) return state.data;
  const message = state.message ?? `Run ended in state ${state.name}`;
  if (state.type === StateType.CRASHED) return new CrashedRun(message);
  if (state.type === StateType.CANCELLED) return new CancelledRun(message);
  return new FailedRun(message);
}
