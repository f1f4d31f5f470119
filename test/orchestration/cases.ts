/** Table-driven case runner shared by the flow and task suites. */
import assert from "node:assert/strict";
import type { SetStateStatus, StateCreate, StateDetails } from "../../src/core/state.ts";
import type { StateType } from "../../src/core/state-types.ts";
import type { TransitionOutcome } from "../../src/orchestration/apply.ts";

/** A state proposal in one line: `st("SCHEDULED", "Late", { scheduled_time })`. */
export function st(
  type: StateType,
  name?: string,
  details: Partial<StateDetails> = {},
  extra: Partial<StateCreate> = {},
): StateCreate {
  return { type, ...(name ? { name } : {}), state_details: details, ...extra };
}

export interface Expect<R> {
  status: SetStateStatus;
  /** Whether a state row was written by the request (HTTP 201). */
  written: boolean;
  type?: StateType;
  name?: string;
  check?: (run: R, outcome: TransitionOutcome, before: R) => void;
}

/** Asserts status, 201/200 and the returned state; for unwritten answers, the unchanged state. */
export function assertOutcome<R extends { state: { id: string } | null }>(
  outcome: TransitionOutcome,
  expect: Expect<R>,
  before: R,
  after: R,
): void {
  const { result, written } = outcome;
  assert.equal(result.status, expect.status, `status (details: ${JSON.stringify(result.details)})`);
  assert.equal(written, expect.written, "written");
  if (expect.written) {
    assert.ok(result.state);
    assert.equal(after.state?.id, result.state.id, "the written state is current");
    assert.notEqual(result.state.id, before.state?.id);
  } else {
    assert.equal(result.state?.id ?? null, before.state?.id ?? null, "current state returned");
    assert.equal(after.state?.id ?? null, before.state?.id ?? null, "nothing written");
  }
  if (expect.type) assert.equal(result.state?.type, expect.type, "state type");
  if (expect.name) assert.equal(result.state?.name, expect.name, "state name");
  expect.check?.(after, outcome, before);
}
