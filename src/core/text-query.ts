/** Prefect's text search (`LogFilterTextSearch`, `EventTextFilter`): terms to include, exclude, require. */
export interface TextQuery {
  include: string[];
  exclude: string[];
  required: string[];
}

/** `error -debug "connection timeout" +required`: any plain term, no `-`term, every `+`term. */
export function parseTextQuery(query: string): TextQuery {
  const out: TextQuery = { include: [], exclude: [], required: [] };
  for (const m of query.matchAll(/([+-]?)(?:"([^"]*)"?|(\S+))/g)) {
    const term = m[2] ?? m[3] ?? "";
    if (term === "") continue;
    if (m[1] === "-") out.exclude.push(term);
    else if (m[1] === "+") out.required.push(term);
    else out.include.push(term);
  }
  return out;
}
