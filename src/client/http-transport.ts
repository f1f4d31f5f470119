/**
 * HTTP transport to a Prefect-compatible API: keep-alive connections (Node's fetch pool), Prefect's
 * headers, retries with backoff on 429/502/503/504 and connection errors (honouring
 * `Retry-After`), and errors mapped to this library's codes.
 */
import { API_VERSION } from "../core/api-version.ts";
import {
  ConflictError,
  ErrorCode,
  ObjectNotFoundError,
  PrefectTsError,
  ValidationError,
} from "../core/errors.ts";

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Retries after a failed attempt (requests here, connections of the events socket too). */
export const MAX_RETRIES = 5;

export interface TransportOptions {
  apiKey?: string | null;
  authString?: string | null;
  /** Injectable for tests; defaults to exponential backoff from 0.1 s (max 5 s). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpTransport {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(apiUrl: string, options: TransportOptions = {}) {
    this.baseUrl = apiUrl.replace(/\/+$/, "");
    this.#headers = {
      "x-prefect-api-version": API_VERSION,
      "user-agent": `prefect-ts (API ${API_VERSION})`,
    };
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    else if (options.authString) {
      this.#headers.authorization = `Basic ${Buffer.from(options.authString).toString("base64")}`;
    }
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** The headers every request carries (API version, authorization). */
  get headers(): Readonly<Record<string, string>> {
    return this.#headers;
  }

  /** Send a request; resolves with the parsed JSON body (or null for an empty one). */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.requestRaw<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  /** Send a request whose body is already JSON text. */
  async requestRaw<T>(method: string, path: string, json?: string): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    // a content type only with a body: an empty body under a JSON content type is not JSON
    const init: RequestInit =
      json === undefined
        ? { method, headers: this.#headers }
        : { method, headers: { ...this.#headers, "content-type": "application/json" }, body: json };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        if (attempt < MAX_RETRIES) {
          await this.#sleep(backoff(attempt));
          continue;
        }
        throw apiUnreachable(this.baseUrl, error);
      }
      if (RETRY_STATUSES.has(response.status) && attempt < MAX_RETRIES) {
        await response.body?.cancel();
        const retryAfter = Number(response.headers.get("retry-after"));
        await this.#sleep(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt),
        );
        continue;
      }
      const text = await response.text();
      const parsed: unknown = text ? safeJson(text) : null;
      if (response.ok) return parsed as T;
      throw httpError(method, path, response.status, parsed ?? text);
    }
  }
}

/** The error for an API that cannot be reached at `url`, saying what to check. */
export function apiUnreachable(url: string, error: unknown): PrefectTsError {
  return new PrefectTsError(
    ErrorCode.API_UNREACHABLE,
    `cannot reach the Prefect API at ${url} (${(error as Error).message}); is the server running? Check PREFECT_API_URL.`,
    { cause: error },
  );
}

/** Milliseconds to wait before retry `attempt` (exponential from 0.1 s, at most 5 s, jittered). */
export function backoff(attempt: number): number {
  return Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function httpError(method: string, path: string, status: number, body: unknown): Error {
  const detail =
    body && typeof body === "object"
      ? ((body as { detail?: unknown }).detail ??
        (body as { exception_message?: unknown }).exception_message)
      : body;
  const text = typeof detail === "string" ? detail : JSON.stringify(body);
  if (status === 404) return new ObjectNotFoundError(text);
  if (status === 409) return new ConflictError(text);
  if (status === 422)
    return new ValidationError(`${method} ${path} was rejected: ${JSON.stringify(body)}`);
  return new PrefectTsError(
    ErrorCode.HTTP,
    `${method} ${path} failed with HTTP ${status}: ${text}`,
  );
}
