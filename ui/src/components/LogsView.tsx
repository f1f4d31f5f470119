/**
 * Logs of a flow run or task run, oldest first, with a level filter and text search; while the run is
 * going, new lines are polled and the view follows the tail.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { post } from "../api/client.ts";
import { LIVE_POLL_MS } from "../api/queries.ts";
import type { Log } from "../api/types.ts";
import { formatAbsolute, formatClock } from "../lib/format.ts";
import { EmptyState, ErrorState, Loading } from "./Feedback.tsx";

const PAGE = 200;
const LEVELS = [
  { value: 0, label: "All levels" },
  { value: 10, label: "Debug and above" },
  { value: 20, label: "Info and above" },
  { value: 30, label: "Warning and above" },
  { value: 40, label: "Error and above" },
  { value: 50, label: "Critical only" },
];

function levelName(level: number): string {
  if (level >= 50) return "CRITICAL";
  if (level >= 40) return "ERROR";
  if (level >= 30) return "WARNING";
  if (level >= 20) return "INFO";
  return "DEBUG";
}

export function LogsView({
  flowRunId,
  taskRunId,
  live,
}: {
  flowRunId?: string;
  taskRunId?: string;
  live: boolean;
}) {
  const [level, setLevel] = useState(0);
  const [text, setText] = useState("");
  const [follow, setFollow] = useState(true);
  const query = text.trim();
  const filter: Record<string, unknown> = { level: { ge_: level } };
  if (flowRunId) filter.flow_run_id = { any_: [flowRunId] };
  if (taskRunId) filter.task_run_id = { any_: [taskRunId] };
  if (query) filter.text = { query };
  const logs = useInfiniteQuery({
    queryKey: ["logs", flowRunId, taskRunId, level, query],
    queryFn: ({ pageParam, signal }) =>
      post<Log[]>(
        "/logs/filter",
        { logs: filter, sort: "TIMESTAMP_ASC", offset: pageParam, limit: PAGE },
        signal,
      ),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => (last.length === PAGE ? pages.length * PAGE : undefined),
    refetchInterval: live ? LIVE_POLL_MS : false,
  });
  const lines = logs.data?.pages.flat() ?? [];
  const box = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = logs;

  // live tail: keep loading the next page while the run writes more
  useEffect(() => {
    if (live && follow && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [live, follow, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: follow the tail whenever new lines arrive
  useEffect(() => {
    const el = box.current;
    if (el && live && follow) el.scrollTop = el.scrollHeight;
  }, [lines.length, live, follow]);

  return (
    <div className="logs">
      <div className="filter-row">
        <select
          className="input"
          aria-label="Log level"
          value={level}
          onChange={(e) => setLevel(Number(e.target.value))}
        >
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="input grow"
          placeholder="Search log messages"
          aria-label="Search logs"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {live && (
          <label className="toggle">
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />{" "}
            Follow
            <span className="live-dot" title="Live: new lines appear as the run writes them" />
          </label>
        )}
      </div>
      {logs.isError ? (
        <ErrorState error={logs.error} what="the logs" />
      ) : logs.isPending ? (
        <Loading />
      ) : lines.length === 0 ? (
        <EmptyState title={live ? "Waiting for logs…" : "No logs"}>
          {level > 0 || query
            ? "No log line matches the filter."
            : "This run has not written any log line."}
        </EmptyState>
      ) : (
        <div className="log-lines" ref={box} data-testid="log-lines">
          {lines.map((l) => (
            <div key={l.id} className={`log-line lvl-${levelName(l.level).toLowerCase()}`}>
              <time className="log-time" dateTime={l.timestamp} title={formatAbsolute(l.timestamp)}>
                {formatClock(l.timestamp)}
              </time>
              <span className="log-level">{levelName(l.level)}</span>
              <span className="log-name">{l.name}</span>
              <span className="log-msg">{l.message}</span>
            </div>
          ))}
          {hasNextPage && !live && (
            <button
              type="button"
              className="btn small"
              onClick={() => void fetchNextPage()}
              disabled={isFetchingNextPage}
            >
              {isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
