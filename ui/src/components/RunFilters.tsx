/** The runs filter bar: state, flow, tags, date range, name search and sort. */
import { useEffect, useState } from "react";
import { useAllFlows } from "../api/queries.ts";
import type { StateType } from "../api/types.ts";
import { STATE_TYPES } from "../api/types.ts";
import { RUN_SORTS, type RunsSearch, type WindowKey } from "../lib/search.ts";
import { stateLabel } from "../lib/states.ts";
import { StateDot } from "./StateBadge.tsx";

export function RunFilters({
  search,
  onChange,
  showFlow = true,
}: {
  search: RunsSearch;
  onChange: (next: RunsSearch) => void;
  showFlow?: boolean;
}) {
  const flows = useAllFlows();
  const [q, setQ] = useState(search.q ?? "");
  const [tags, setTags] = useState((search.tags ?? []).join(", "));
  // the name search applies after a pause in typing
  useEffect(() => {
    const t = setTimeout(() => {
      if ((search.q ?? "") !== q.trim())
        onChange({ ...search, q: q.trim() || undefined, page: undefined });
    }, 300);
    return () => clearTimeout(t);
  }, [q, search, onChange]);
  const states = new Set(search.state ?? []);
  const toggleState = (t: StateType) => {
    const next = new Set(states);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    onChange({ ...search, state: next.size ? [...next] : undefined, page: undefined });
  };
  const applyTags = () => {
    const list = tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    onChange({ ...search, tags: list.length ? list : undefined, page: undefined });
  };
  const active = Boolean(search.state || search.flow || search.tags || search.q || search.range);
  return (
    <div className="filters">
      <div className="filter-row">
        <input
          type="search"
          className="input grow"
          placeholder="Search by run name"
          aria-label="Search by run name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {showFlow && (
          <select
            className="input"
            aria-label="Flow"
            value={search.flow?.[0] ?? ""}
            onChange={(e) =>
              onChange({
                ...search,
                flow: e.target.value ? [e.target.value] : undefined,
                page: undefined,
              })
            }
          >
            <option value="">All flows</option>
            {flows.data?.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        )}
        <input
          className="input"
          placeholder="Tags (comma separated)"
          aria-label="Tags"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          onBlur={applyTags}
          onKeyDown={(e) => {
            if (e.key === "Enter") applyTags();
          }}
        />
        <select
          className="input"
          aria-label="Date range"
          value={search.range ?? ""}
          onChange={(e) =>
            onChange({
              ...search,
              range: (e.target.value || undefined) as WindowKey | undefined,
              page: undefined,
            })
          }
        >
          <option value="">Any time</option>
          <option value="1h">Past hour</option>
          <option value="24h">Past 24 hours</option>
          <option value="7d">Past 7 days</option>
          <option value="30d">Past 30 days</option>
        </select>
        <select
          className="input"
          aria-label="Sort"
          value={search.sort ?? "START_TIME_DESC"}
          onChange={(e) =>
            onChange({ ...search, sort: e.target.value as RunsSearch["sort"], page: undefined })
          }
        >
          {RUN_SORTS.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="filter-row chips">
        <legend className="sr-only">States</legend>
        {STATE_TYPES.map((t) => (
          <button
            key={t}
            type="button"
            className={states.has(t) ? "chip active" : "chip"}
            aria-pressed={states.has(t)}
            onClick={() => toggleState(t)}
          >
            <StateDot type={t} />
            {stateLabel(t)}
          </button>
        ))}
        {active && (
          <button
            type="button"
            className="btn ghost small"
            onClick={() => {
              setQ("");
              setTags("");
              onChange({ tab: search.tab });
            }}
          >
            Clear filters
          </button>
        )}
      </fieldset>
    </div>
  );
}
