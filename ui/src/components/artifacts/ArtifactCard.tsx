/** An artifact rendered in a card: its description (markdown), then its data. */
import type { Artifact } from "../../api/artifacts.ts";
import { ArtifactView } from "./ArtifactView.tsx";
import { Markdown } from "./Markdown.tsx";

export function ArtifactCard({
  artifact,
  label = "Artifact",
}: {
  artifact: Artifact;
  label?: string;
}) {
  return (
    <section className="card artifact-card" aria-label={label} data-artifact-id={artifact.id}>
      {artifact.description && (
        <div className="artifact-description">
          <Markdown markdown={artifact.description} />
        </div>
      )}
      <div className="artifact-body" data-artifact-type={artifact.type ?? ""}>
        <ArtifactView artifact={artifact} />
      </div>
    </section>
  );
}
