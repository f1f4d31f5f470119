/** The search params of the block pages: a name search and a block type (by slug). */
export interface BlocksSearch {
  q?: string;
  type?: string;
}

export function parseBlocksSearch(s: Record<string, unknown>): BlocksSearch {
  return {
    q: typeof s.q === "string" && s.q ? s.q : undefined,
    type: typeof s.type === "string" && s.type ? s.type : undefined,
  };
}

export function parseCatalogSearch(s: Record<string, unknown>): { q?: string } {
  return { q: typeof s.q === "string" && s.q ? s.q : undefined };
}
