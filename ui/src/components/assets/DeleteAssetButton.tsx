/** **Delete** for an asset, after a confirmation; `onDeleted` runs once the server has removed it
 * (before the lists refresh). */
import { useState } from "react";
import { useDeleteAsset } from "../../api/assets.ts";

export function DeleteAssetButton({
  assetKey,
  onDeleted,
  small,
}: {
  assetKey: string;
  onDeleted?: () => void | Promise<void>;
  small?: boolean;
}) {
  const remove = useDeleteAsset();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className={small ? "btn danger small" : "btn danger"}
        aria-label={`Delete ${assetKey}`}
        disabled={busy}
        onClick={async () => {
          if (
            !window.confirm(
              `Delete the asset ${assetKey} and its lineage? A later event about it records it again.`,
            )
          )
            return;
          setBusy(true);
          setProblem(null);
          try {
            await remove(assetKey, onDeleted);
          } catch (error) {
            setProblem(error instanceof Error ? error.message : String(error));
            setBusy(false);
          }
        }}
      >
        Delete
      </button>
      {problem && (
        <span className="banner warn" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}
