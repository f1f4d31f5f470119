/**
 * The REST client of the UI: discovers the API URL from `GET /ui-settings` (as Prefect's UI does),
 * then sends JSON requests to `api_url + path`, with the stored credential and, when the server
 * wants them, CSRF tokens (`auth.ts`).
 */
import { authorizationHeader, csrfHeaders, dropCsrfToken, signalUnauthorized } from "./auth.ts";
import type { UiSettings } from "./types.ts";

/**
 * A failed API call: the HTTP status (0 when the server was unreachable), Prefect's message and,
 * for a 422, what the server said of each body field (`exception_detail` entries by `loc`).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: Readonly<Record<string, string>>;
  /** A 422's `exception_detail` entries with their whole path in the body (`[0, "schedule", "cron"]`). */
  readonly details: readonly FieldProblem[];
  constructor(
    status: number,
    message: string,
    fields: Record<string, string> = {},
    details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
    this.details = details;
  }
}

/** One problem a 422 names: where in the body (without the leading `"body"`) and what. */
export interface FieldProblem {
  path: (string | number)[];
  message: string;
}

let settings: Promise<UiSettings> | null = null;

/** The UI settings, fetched once. */
export function uiSettings(): Promise<UiSettings> {
  settings ??= fetch("/ui-settings", { headers: { accept: "application/json" } })
    .then(async (res) => {
      if (!res.ok) throw new ApiError(res.status, `GET /ui-settings answered ${res.status}`);
      return (await res.json()) as UiSettings;
    })
    .catch((error: unknown) => {
      settings = null; // try again on the next call
      if (error instanceof ApiError) throw error;
      throw new ApiError(0, "The Prefect TS server is unreachable.");
    });
  return settings;
}

function messageOf(body: unknown, status: number): string {
  if (body && typeof body === "object") {
    const b = body as { detail?: unknown; exception_message?: unknown };
    if (typeof b.detail === "string") return b.detail;
    if (typeof b.exception_message === "string") return b.exception_message;
  }
  return `The API answered ${status}`;
}

/**
 * The messages of a 422 by body field: `{"limit": "Input should be greater than or equal to 0"}`
 * from `exception_detail: [{loc: ["body", "limit"], msg: …}]` (`"body"` for the body as a whole).
 */
function fieldsOf(details: readonly FieldProblem[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const { path, message } of details) {
    const key = path.length > 0 ? String(path[0]) : "body";
    fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
  }
  return fields;
}

/** The `exception_detail` entries of a 422 body. */
function detailsOf(body: unknown): FieldProblem[] {
  if (!body || typeof body !== "object") return [];
  const detail = (body as { exception_detail?: unknown }).exception_detail;
  if (!Array.isArray(detail)) return [];
  return (detail as unknown[]).flatMap((d) => {
    if (!d || typeof d !== "object") return [];
    const { loc, msg } = d as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc) || typeof msg !== "string") return [];
    const path = (loc[0] === "body" ? loc.slice(1) : loc).filter(
      (p): p is string | number => typeof p === "string" || typeof p === "number",
    );
    return [{ path, message: msg }];
  });
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  /** More request headers (e.g. `x-prefect-ui: true`, which makes a read not count as a poll). */
  headers?: Record<string, string>;
}

/** Call the API: `path` starts with `/` and is relative to the API URL (e.g. `/flow_runs/filter`). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { api_url, csrf_enabled } = await uiSettings();
  const base = api_url.replace(/\/$/, "");
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {
      accept: "application/json",
      ...options.headers,
      ...authorizationHeader(),
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (csrf_enabled && method !== "GET") Object.assign(headers, await csrfHeaders(base));
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "The Prefect TS server is unreachable.");
    }
    const text = await res.text();
    const body: unknown = text === "" ? null : JSON.parse(text);
    if (res.ok) return body as T;
    if (res.status === 401) signalUnauthorized();
    // a token that expired or was replaced: once more with a new one
    if (res.status === 403 && csrf_enabled && attempt === 0 && /CSRF/.test(messageOf(body, 403))) {
      dropCsrfToken();
      continue;
    }
    const details = detailsOf(body);
    throw new ApiError(res.status, messageOf(body, res.status), fieldsOf(details), details);
  }
}

/** POST a JSON body. */
export function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return api<T>(path, { method: "POST", body, signal });
}
