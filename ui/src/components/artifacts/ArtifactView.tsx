/**
 * One artifact's data as Prefect's UI shows it: markdown rendered (sanitised; a link artifact is
 * markdown), a table (sortable, paginated), a progress bar with its percentage, an image from
 * its URL; anything else as JSON.
 */
import "./artifacts.css";
import type { Artifact } from "../../api/artifacts.ts";
import { JsonView } from "../JsonView.tsx";
import { Markdown } from "./Markdown.tsx";
import { TableArtifact } from "./TableArtifact.tsx";

export function ArtifactView({ artifact }: { artifact: Pick<Artifact, "type" | "data"> }) {
  const { type, data } = artifact;
  switch (type) {
    case "markdown":
      return <Markdown markdown={typeof data === "string" ? data : JSON.stringify(data)} />;
    case "table":
      return <TableArtifact data={data} />;
    case "progress":
      return <ProgressBar value={typeof data === "number" ? data : Number(data)} />;
    case "image":
      return <ArtifactImage url={typeof data === "string" ? data : ""} />;
    case "link":
      return <ArtifactLink url={typeof data === "string" ? data : ""} />;
    default:
      return <JsonView value={data} empty="This artifact has no data." />;
  }
}

/** A progress artifact: a bar and its percentage (0 to 100). */
export function ProgressBar({ value }: { value: number }) {
  const known = Number.isFinite(value);
  const percent = known ? Math.min(100, Math.max(0, value)) : 0;
  const label = known ? `${Number(percent.toFixed(1))}%` : "unknown";
  return (
    <div className="artifact-progress">
      <div
        className="progress artifact-progress-bar"
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? percent : undefined}
        aria-valuetext={label}
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <span className="mono">{label}</span>
    </div>
  );
}

/** Only web addresses (and addresses on this server) are loaded or linked: no `javascript:`. */
function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** An image's address: a web address, or an inline raster image (`data:image/png;base64,…`). */
function imageUrl(url: string): string | null {
  return /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(url) ? url : safeUrl(url);
}

function ArtifactImage({ url }: { url: string }) {
  const src = imageUrl(url);
  if (!src) return <p className="muted">Not an image address: {url}</p>;
  return (
    <figure className="artifact-image">
      <img src={src} alt="Artifact" loading="lazy" referrerPolicy="no-referrer" />
      <figcaption className="muted small">
        {src.startsWith("data:") ? (
          "inline image"
        ) : (
          <a href={src} target="_blank" rel="noopener noreferrer">
            {url}
          </a>
        )}
      </figcaption>
    </figure>
  );
}

function ArtifactLink({ url }: { url: string }) {
  const href = safeUrl(url);
  if (!href) return <p className="mono">{url}</p>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {url}
    </a>
  );
}
