/** The `{results, count, limit, pages, page}` answer of Prefect's `paginate` routes. */
export async function paginated<T>(
  page: number,
  limit: number,
  count: Promise<number>,
  results: () => Promise<T[]>,
): Promise<{ results: T[]; count: number; limit: number; pages: number; page: number }> {
  const [total, rows] = await Promise.all([count, results()]);
  return {
    results: rows,
    count: total,
    limit,
    pages: limit > 0 ? Math.ceil(total / limit) : 0,
    page,
  };
}
