/** A block type's logo, or its initial when it has none (or the logo cannot be loaded). */
import "./blocks.css";
import { useState } from "react";
import type { BlockType } from "../../api/blocks.ts";

export function BlockTypeLogo({
  type,
  size = 28,
}: {
  type: Pick<BlockType, "name" | "logo_url"> | null | undefined;
  size?: number;
}) {
  const [failed, setFailed] = useState(false);
  const name = type?.name ?? "?";
  if (type?.logo_url && !failed && /^https?:\/\//.test(type.logo_url))
    return (
      <img
        className="block-logo"
        src={type.logo_url}
        alt=""
        width={size}
        height={size}
        loading="lazy"
        referrerPolicy="no-referrer"
        onError={() => setFailed(true)}
      />
    );
  return (
    <span
      className="block-logo block-logo-letter"
      style={{ width: size, height: size }}
      aria-hidden
    >
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
