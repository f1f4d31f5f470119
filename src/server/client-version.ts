/** The Prefect client version from a `User-Agent: prefect/3.8.4 (API 0.8.4)` header, if any. */
export function clientVersionOf(userAgent: string | undefined): string | null {
  const m = userAgent ? /^prefect\/([^\s]+)/.exec(userAgent) : null;
  return m?.[1] ?? null;
}
