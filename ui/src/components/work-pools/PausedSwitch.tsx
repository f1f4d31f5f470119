/** A switch pausing or resuming a pool or a queue (`PATCH … {"is_paused": …}`). */
import { useState } from "react";
import { useWorkPoolChange } from "../../api/work-pools.ts";

export function PausedSwitch({
  paused,
  label,
  onChange,
  onError,
}: {
  paused: boolean;
  /** What is paused, for the switch's accessible name ("local" → "local active"). */
  label: string;
  onChange: (paused: boolean) => Promise<unknown>;
  onError?: (message: string | null) => void;
}) {
  const change = useWorkPoolChange();
  const [busy, setBusy] = useState(false);
  return (
    <label className="switch" title="Workers start no run of what is paused">
      <input
        type="checkbox"
        role="switch"
        aria-label={`${label} active`}
        aria-checked={!paused}
        checked={!paused}
        disabled={busy}
        onChange={(e) => {
          const pause = !e.target.checked;
          setBusy(true);
          onError?.(null);
          void change(() => onChange(pause))
            .catch((error: unknown) =>
              onError?.(error instanceof Error ? error.message : String(error)),
            )
            .finally(() => setBusy(false));
        }}
      />
      <span>{paused ? "Paused" : "Active"}</span>
    </label>
  );
}
