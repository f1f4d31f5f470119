/**
 * The client's side of Prefect's CSRF protection (`PREFECT_CLIENT_CSRF_SUPPORT_ENABLED`, on by
 * default): once a server has refused a state-changing request for want of a token, the client
 * gets one from `GET /csrf-token?client=…` and sends it with every POST, PUT, PATCH and DELETE as
 * `Prefect-Csrf-Token` and `Prefect-Csrf-Client`, renewing it before it expires. Prefect's client
 * asks for a token before its first such request; asking only when refused costs a server without
 * protection (the default) no request at all. The refused request did nothing (the check comes
 * before any route), so it is sent again.
 */
import { randomUUID } from "node:crypto";
import { ErrorCode, isPrefectTsError } from "../core/errors.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Prefect's answers when the CSRF check refuses a request. */
const REFUSALS = new Set([
  "Missing CSRF token.",
  "Missing client identifier.",
  "Invalid CSRF token or client identifier.",
]);
/** Renew a token this long before it expires. */
const RENEW_MARGIN_MS = 30_000;

interface IssuedToken {
  token: string;
  expiration: string;
}

/** True for an answer of the CSRF check (a 403 with one of Prefect's messages). */
export function isCsrfRefusal(status: number, body: unknown): boolean {
  const detail =
    body && typeof body === "object" ? (body as { detail?: unknown }).detail : undefined;
  return status === 403 && typeof detail === "string" && REFUSALS.has(detail);
}

export class CsrfTokens {
  readonly #enabled: boolean;
  readonly #fetch: (path: string) => Promise<IssuedToken>;
  readonly #client = randomUUID();
  /** Whether the server has asked for tokens. */
  #wanted = false;
  #token: string | null = null;
  #expiresAt = 0;
  #pending: Promise<void> | null = null;

  /** `fetch` sends a GET to the API (a GET needs no token). */
  constructor(enabled: boolean, fetch: (path: string) => Promise<IssuedToken>) {
    this.#enabled = enabled;
    this.#fetch = fetch;
  }

  /** The CSRF headers a request of `method` carries (none until the server asked for them). */
  async headers(method: string): Promise<Record<string, string> | null> {
    if (!this.#wanted || !STATE_CHANGING.has(method)) return null;
    if (this.#token === null || Date.now() >= this.#expiresAt - RENEW_MARGIN_MS) {
      await this.#renew();
    }
    if (this.#token === null) return null;
    return { "prefect-csrf-token": this.#token, "prefect-csrf-client": this.#client };
  }

  /**
   * After an error answer: true when the CSRF check refused the request and a new token is in
   * hand, so that it can be sent again with `headers()`.
   */
  async refused(status: number, body: unknown): Promise<boolean> {
    if (!this.#enabled || !isCsrfRefusal(status, body)) return false;
    this.#wanted = true;
    this.#token = null;
    await this.#renew();
    return this.#token !== null;
  }

  #renew(): Promise<void> {
    this.#pending ??= this.#fetch(`/csrf-token?client=${encodeURIComponent(this.#client)}`)
      .then(
        (issued) => {
          this.#token = issued.token;
          this.#expiresAt = Date.parse(issued.expiration);
        },
        (error: unknown) => {
          // 404 (an older server) or 422 "CSRF protection is disabled.": send no tokens
          const code = isPrefectTsError(error) ? error.code : null;
          if (code === ErrorCode.OBJECT_NOT_FOUND || code === ErrorCode.VALIDATION) {
            this.#wanted = false;
            this.#token = null;
            return;
          }
          throw error;
        },
      )
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }
}
