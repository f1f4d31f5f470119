/** The search params of the artifacts list: a key search, a type, the page. */
export interface ArtifactsSearch {
  q?: string;
  type?: string;
  page?: number;
}

export function parseArtifactsSearch(s: Record<string, unknown>): ArtifactsSearch {
  return {
    q: typeof s.q === "string" && s.q ? s.q : undefined,
    type: typeof s.type === "string" && s.type ? s.type : undefined,
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
  };
}
