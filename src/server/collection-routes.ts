/**
 * Prefect's `paginate` routes: a `filter` for the requested page (offset = (page − 1) × limit)
 * and a `count` of the same body, answered as `{results, count, limit, pages, page}`.
 */
export async function paginate<Body extends { page: number; limit: number }, Row, Out>(
  body: Body,
  count: (rest: Omit<Body, "page" | "limit">) => Promise<number>,
  filter: (
    rest: Omit<Body, "page" | "limit"> & { limit: number; offset: number },
  ) => Promise<Row[]>,
  toResponse: (row: Row) => Out,
): Promise<{ results: Out[]; count: number; limit: number; pages: number; page: number }> {
  const { page, limit, ...rest } = body;
  const [total, rows] = await Promise.all([
    count(rest),
    filter({ ...rest, limit, offset: (page - 1) * limit }),
  ]);
  return {
    results: rows.map(toResponse),
    count: total,
    limit,
    pages: limit > 0 ? Math.ceil(total / limit) : 0,
    page,
  };
}
