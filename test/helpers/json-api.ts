/** A listening test server's JSON API through `fetch` (requests that truly run concurrently). */
import assert from "node:assert/strict";

export interface Reply<T> {
  status: number;
  body: T;
}

/** `post` answers the status and body; `get` asserts a 200. `base()`: the server's address. */
export function jsonApi(base: () => string) {
  return {
    async post<T>(path: string, body: unknown): Promise<Reply<T>> {
      const res = await fetch(`${base()}/api${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${base()}/api${path}`);
      assert.equal(res.status, 200, `GET ${path}`);
      return (await res.json()) as T;
    },
  };
}
