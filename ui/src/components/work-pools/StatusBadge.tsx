/** The status of a pool (Ready / Not ready / Paused), a queue (the same) or a worker (Online / Offline). */

type Status = "READY" | "NOT_READY" | "PAUSED" | "ONLINE" | "OFFLINE";

const LABELS: Record<Status, string> = {
  READY: "Ready",
  NOT_READY: "Not ready",
  PAUSED: "Paused",
  ONLINE: "Online",
  OFFLINE: "Offline",
};

const TITLES: Record<Status, string> = {
  READY: "A worker is online (for a queue: polled in the last minute)",
  NOT_READY: "No worker is online: runs wait until one polls",
  PAUSED: "Paused: workers start none of its runs",
  ONLINE: "Sending heartbeats",
  OFFLINE: "Missed three heartbeats",
};

export function StatusBadge({ status }: { status: Status | null | undefined }) {
  if (!status) return <span className="muted">—</span>;
  const kind =
    status === "READY" || status === "ONLINE" ? " ready" : status === "PAUSED" ? " paused" : "";
  return (
    <span className={`status-pill${kind}`} data-status={status} title={TITLES[status]}>
      {LABELS[status]}
    </span>
  );
}
