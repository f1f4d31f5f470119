/** Markdown rendered as sanitised HTML (loaded lazily with marked and DOMPurify: see Markdown.tsx). */
import { useMemo } from "react";
import { renderMarkdown } from "./markdown.ts";

export default function MarkdownBlock({ markdown }: { markdown: string }) {
  const html = useMemo(() => renderMarkdown(markdown), [markdown]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is DOMPurify's output
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
