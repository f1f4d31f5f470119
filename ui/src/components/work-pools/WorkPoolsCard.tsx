/** The dashboard's card of work pools (not paused), each with its type, status and slots, as Prefect's dashboard has. */
import { Link } from "@tanstack/react-router";
import { useWorkPools } from "../../api/work-pools.ts";
import { ErrorState, Loading } from "../Feedback.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function WorkPoolsCard() {
  const pools = useWorkPools();
  const active = (pools.data ?? []).filter((p) => !p.is_paused);
  return (
    <section className="card" aria-label="Active work pools">
      <div className="card-head">
        <h2>Active work pools</h2>
        <Link to="/work-pools" className="muted-link">
          View all
        </Link>
      </div>
      {pools.isError ? (
        <ErrorState error={pools.error} what="the work pools" />
      ) : pools.isPending ? (
        <Loading />
      ) : active.length === 0 ? (
        <p className="muted small">
          No active work pool. Create one with{" "}
          <code>npx prefect-ts work-pool create local --type process</code>.
        </p>
      ) : (
        <table className="table">
          <tbody>
            {active.map((p) => (
              <tr key={p.id} data-pool={p.name}>
                <td>
                  <Link
                    to="/work-pools/work-pool/$name"
                    params={{ name: p.name }}
                    className="strong-link"
                  >
                    {p.name}
                  </Link>
                </td>
                <td className="muted">{p.type}</td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td className="mono muted small">
                  {p.concurrency_limit == null
                    ? "no limit"
                    : `${p.active_slots ?? 0} / ${p.concurrency_limit} slots`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
