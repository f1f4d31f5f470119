/** The search params of the assets list: a text, whether it is a key prefix, the page. */
export interface AssetsSearch {
  q?: string;
  match?: "prefix";
  page?: number;
}

export function parseAssetsSearch(s: Record<string, unknown>): AssetsSearch {
  return {
    q: typeof s.q === "string" && s.q ? s.q : undefined,
    match: s.match === "prefix" ? "prefix" : undefined,
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
  };
}
