/**
 * Markdown shown as HTML, sanitised. The renderer (marked and DOMPurify) loads with the first
 * markdown shown, outside the initial bundle; until then the text shows as it is.
 */
import { lazy, Suspense } from "react";

const MarkdownBlock = lazy(() => import("./MarkdownBlock.tsx"));

export function Markdown({ markdown }: { markdown: string }) {
  return (
    <Suspense fallback={<pre className="markdown-source">{markdown}</pre>}>
      <MarkdownBlock markdown={markdown} />
    </Suspense>
  );
}
