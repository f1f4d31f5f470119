/** Reading a database URL, without loading any driver (the CLI's `version` uses these too). */

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?(\+\w+)?:\/\//.test(url);
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@");
}
