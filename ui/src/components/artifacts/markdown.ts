/**
 * Markdown to HTML that is safe to put in the page: marked (GitHub-flavoured) writes the HTML,
 * DOMPurify keeps only inert HTML — no `<script>`, no event handler attributes (`onerror=`), no
 * `javascript:` URLs, no forms, styles or frames. Links open in a new tab with
 * `rel="noopener noreferrer"`.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({ gfm: true, breaks: false });

let linksHooked = false;

function hookLinks(): void {
  if (linksHooked) return;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  linksHooked = true;
}

/** The markdown as sanitised HTML. */
export function renderMarkdown(markdown: string): string {
  hookLinks();
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object"],
    FORBID_ATTR: ["style"],
  });
}
