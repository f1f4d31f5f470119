/**
 * Concurrency (`/concurrency-limits`): global limits and task-run (tag) limits, as Prefect's UI
 * has them in two tabs, with who holds their slots and which runs wait for one.
 */
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useWaitingRuns } from "../api/concurrency.ts";
import { GlobalLimitsTab } from "../components/concurrency/GlobalLimitsTab.tsx";
import { TagLimitsTab } from "../components/concurrency/TagLimitsTab.tsx";
import { WaitingRuns } from "../components/concurrency/WaitingRuns.tsx";
import { Tabs } from "../components/Tabs.tsx";

const route = getRouteApi("/concurrency-limits");

export function ConcurrencyPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/concurrency-limits" });
  const tab = search.tab ?? "global";
  const waiting = useWaitingRuns();
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Concurrency</h1>
          <p className="muted">
            Limits on how much runs at once, who holds their slots and who waits for one.
          </p>
        </div>
      </header>
      <Tabs
        tabs={[
          { key: "global", label: "Global" },
          { key: "task-run", label: "Task Run" },
        ]}
        value={tab}
        onChange={(t) => void navigate({ search: { tab: t === "task-run" ? t : undefined } })}
      />
      {tab === "global" ? (
        <GlobalLimitsTab />
      ) : (
        <TagLimitsTab waiting={waiting.taskRuns.data ?? []} />
      )}
      <WaitingRuns flowRuns={waiting.flowRuns.data ?? []} taskRuns={waiting.taskRuns.data ?? []} />
    </div>
  );
}
