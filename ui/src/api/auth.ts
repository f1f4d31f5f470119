/**
 * What the UI sends to a server with authentication or CSRF protection on, as Prefect's UI does:
 * the auth string the user typed, kept base64-encoded in localStorage under `prefect-password`
 * and sent as `Authorization: Basic …`; and, when `/ui-settings` says `csrf_enabled`, a CSRF
 * token from `GET /csrf-token?client=…` on every POST, PATCH and DELETE.
 */

const PASSWORD_KEY = "prefect-password";
/** Fired on `window` when the server refuses the stored credential (or there is none). */
export const UNAUTHORIZED_EVENT = "prefect-unauthorized";

function encode(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function storedCredential(): string | null {
  try {
    return localStorage.getItem(PASSWORD_KEY);
  } catch {
    return null;
  }
}

/** Keep the auth string the user typed (`user:password`). */
export function storeCredential(authString: string): void {
  localStorage.setItem(PASSWORD_KEY, encode(authString));
}

export function forgetCredential(): void {
  localStorage.removeItem(PASSWORD_KEY);
}

/** The Authorization header for the stored credential, if any. */
export function authorizationHeader(): Record<string, string> {
  const credential = storedCredential();
  return credential ? { authorization: `Basic ${credential}` } : {};
}

/** The server refused the credential: forget it and let the app show the login page. */
export function signalUnauthorized(): void {
  forgetCredential();
  window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
}

const clientId = crypto.randomUUID();
let csrf: { token: string; expiresAt: number } | null = null;
let pending: Promise<void> | null = null;

/** The CSRF headers of a state-changing request (a token is fetched, and renewed before expiry). */
export async function csrfHeaders(apiUrl: string): Promise<Record<string, string>> {
  if (!csrf || Date.now() > csrf.expiresAt - 30_000) {
    pending ??= fetch(`${apiUrl}/csrf-token?client=${encodeURIComponent(clientId)}`, {
      headers: { accept: "application/json", ...authorizationHeader() },
    })
      .then(async (res) => {
        if (!res.ok) {
          csrf = null;
          return;
        }
        const body = (await res.json()) as { token: string; expiration: string };
        csrf = { token: body.token, expiresAt: Date.parse(body.expiration) };
      })
      .finally(() => {
        pending = null;
      });
    await pending;
  }
  return csrf ? { "prefect-csrf-token": csrf.token, "prefect-csrf-client": clientId } : {};
}

/** Forget the CSRF token (the server refused it). */
export function dropCsrfToken(): void {
  csrf = null;
}
