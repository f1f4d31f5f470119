/**
 * The login page, shown when `/ui-settings` says `auth: "BASIC"` and the server refuses the UI
 * without a credential: the user types the server's auth string (`PREFECT_SERVER_API_AUTH_STRING`,
 * `user:password`), kept in this browser as Prefect's UI keeps it.
 */
import { type FormEvent, useState } from "react";
import { forgetCredential, storeCredential } from "../api/auth.ts";
import { ApiError, api } from "../api/client.ts";

export function LoginPage({ onLogin }: { onLogin: () => void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    storeCredential(value);
    try {
      await api("/version");
      onLogin();
    } catch (e) {
      forgetCredential();
      setError(
        e instanceof ApiError && e.status === 401
          ? "The server refused these credentials."
          : e instanceof Error
            ? e.message
            : String(e),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={(e) => void submit(e)}>
        <h1>
          <span className="brand-mark">P</span> Prefect <strong>TS</strong>
        </h1>
        <p>This server requires authentication.</p>
        <label htmlFor="auth-string">Auth string (user:password)</label>
        <input
          id="auth-string"
          className="input"
          type="password"
          autoComplete="current-password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
        />
        {error && (
          <p className="login-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn primary" disabled={busy || value === ""}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
