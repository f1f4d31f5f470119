/** Cancel, retry, change state and delete a flow run (Prefect's `set_state` and `DELETE`). */
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, post } from "../api/client.ts";
import type { FlowRun, OrchestrationResult, StateType } from "../api/types.ts";
import { STATE_TYPES, TERMINAL_STATES } from "../api/types.ts";
import { stateLabel } from "../lib/states.ts";

/** The states Prefect's UI offers to cancel a flow run from. */
const CANCELLABLE: ReadonlySet<StateType> = new Set(["SCHEDULED", "PENDING", "RUNNING", "PAUSED"]);

export function RunActions({ run }: { run: FlowRun }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [changing, setChanging] = useState(false);
  const [target, setTarget] = useState<StateType>("COMPLETED");
  const [message, setMessage] = useState("");
  const terminal = run.state_type != null && TERMINAL_STATES.has(run.state_type);
  const cancellable = run.state_type != null && CANCELLABLE.has(run.state_type);

  const setState = async (state: Record<string, unknown>, force: boolean) => {
    setBusy(true);
    setNotice(null);
    try {
      const result = await post<OrchestrationResult>(`/flow_runs/${run.id}/set_state`, {
        state,
        force,
      });
      // a run with no infrastructure to stop is cancelled outright (REJECT to Cancelled): done
      const cancelledOutright = state.type === "CANCELLING" && result.state?.type === "CANCELLED";
      if (result.status !== "ACCEPT" && !cancelledOutright) {
        const reason = "reason" in result.details ? result.details.reason : null;
        setNotice(`The server answered ${result.status}${reason ? `: ${reason}` : ""}`);
      }
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries();
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete flow run ${run.name}? This cannot be undone.`)) return;
    setBusy(true);
    try {
      await api(`/flow_runs/${run.id}`, { method: "DELETE" });
      await navigate({ to: "/runs" });
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <div className="actions">
      <div className="action-buttons">
        {cancellable && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => {
              if (
                window.confirm(
                  `Cancel flow run ${run.name}? It goes to Cancelling; the worker or process running it stops it, then it is Cancelled.`,
                )
              )
                void setState(
                  { type: "CANCELLING", name: "Cancelling", message: "Cancelled from the UI" },
                  false,
                );
            }}
          >
            Cancel
          </button>
        )}
        {terminal && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void setState(
                { type: "SCHEDULED", name: "AwaitingRetry", message: "Retry from the UI" },
                true,
              )
            }
          >
            Retry
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => setChanging((v) => !v)}
        >
          Change state
        </button>
        <button type="button" className="btn danger" disabled={busy} onClick={() => void remove()}>
          Delete
        </button>
      </div>
      {changing && (
        <form
          className="change-state"
          onSubmit={(e) => {
            e.preventDefault();
            setChanging(false);
            void setState(
              { type: target, name: stateLabel(target), message: message || null },
              true,
            );
          }}
        >
          <select
            className="input"
            aria-label="New state"
            value={target}
            onChange={(e) => setTarget(e.target.value as StateType)}
          >
            {STATE_TYPES.map((t) => (
              <option key={t} value={t}>
                {stateLabel(t)}
              </option>
            ))}
          </select>
          <input
            className="input grow"
            placeholder="Reason (optional)"
            aria-label="Reason"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
          />
          <button type="submit" className="btn primary">
            Set state
          </button>
        </form>
      )}
      {notice && <div className="banner warn">{notice}</div>}
    </div>
  );
}
