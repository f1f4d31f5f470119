/**
 * The SDK's HTTP transport as a Prefect server (or a proxy in front of one) sees it: Prefect's
 * headers, retries of 429/502/503/504 and of refused connections honouring `Retry-After`, and no
 * retry of an answer that will not change. The server here is a plain HTTP server answering what
 * each case needs; waits are recorded through the transport's clock instead of slept.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { HttpTransport } from "../../src/client/http-transport.ts";
import { DEFAULT_MAX_RETRIES } from "../../src/client/retry-policy.ts";
import { API_VERSION } from "../../src/core/api-version.ts";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { loadSettings } from "../../src/settings/settings.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe("the SDK's HTTP transport", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  /** Answers still to give, in order: [status, headers, body]; then 200 `{"ok":true}`. */
  const script: [number, Record<string, string>, string][] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        const [status, headers, text] = script.shift() ?? [200, {}, '{"ok":true}'];
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = (options: ConstructorParameters<typeof HttpTransport>[1] = {}) => {
    const slept: number[] = [];
    const t = new HttpTransport(base, {
      ...options,
      retry: {
        ...options.retry,
        sleep: async (ms) => {
          slept.push(ms);
        },
        onOutage: () => undefined,
      },
    });
    return { t, slept };
  };

  it("retries 429 and 503, waiting as Retry-After says, and 502 with backoff", async () => {
    seen.length = 0;
    script.push([429, { "retry-after": "2" }, '{"detail":"slow down"}']);
    script.push([503, { "retry-after": "0.5" }, "{}"]);
    script.push([502, {}, "bad gateway"]);
    const { t, slept } = transport();
    assert.deepEqual(await t.request("POST", "/flows/", { name: "f" }), { ok: true });
    assert.equal(seen.length, 4);
    assert.deepEqual(slept.slice(0, 2), [2000, 500]);
    assert.ok((slept[2] ?? 0) >= 400 && (slept[2] ?? 0) <= 480);
    // every attempt carried the same request
    assert.deepEqual(new Set(seen.map((s) => s.body)), new Set(['{"name":"f"}']));
  });

  it("gives up after its retries and reports the last answer", async () => {
    seen.length = 0;
    const MAX_RETRIES = 3;
    for (let i = 0; i <= MAX_RETRIES; i++) script.push([503, {}, '{"detail":"down"}']);
    const { t, slept } = transport({ retry: { maxRetries: MAX_RETRIES } });
    await assert.rejects(
      () => t.request("GET", "/health"),
      (e: unknown) => isPrefectTsError(e) && e.code === ErrorCode.HTTP && /503/.test(e.message),
    );
    assert.equal(seen.length, MAX_RETRIES + 1);
    assert.equal(slept.length, MAX_RETRIES);
  });

  it("does not retry an answer that will not change", async () => {
    seen.length = 0;
    script.push([500, {}, '{"exception_message":"Internal Server Error"}']);
    const { t, slept } = transport();
    await assert.rejects(() => t.request("GET", "/flows/x"), /HTTP 500/);
    assert.equal(seen.length, 1);
    assert.deepEqual(slept, []);
  });

  it("retries a refused connection with backoff, then says the API cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const slept: number[] = [];
    const t = new HttpTransport(`http://127.0.0.1:${port}/api`, {
      retry: {
        sleep: async (ms) => {
          slept.push(ms);
        },
        onOutage: () => undefined,
      },
    });
    await assert.rejects(
      () => t.request("GET", "/health"),
      (e: unknown) =>
        isPrefectTsError(e) &&
        e.code === ErrorCode.API_UNREACHABLE &&
        /PREFECT_API_URL/.test(e.message),
    );
    // by default the retries ride out a server restart: a minute or more, at most 5 s apart
    assert.equal(slept.length, DEFAULT_MAX_RETRIES);
    const nominal = (i: number) => Math.min(5000, 100 * 2 ** i);
    assert.ok(slept.every((ms, i) => ms >= nominal(i) && ms <= nominal(i) * 1.2));
    assert.ok(slept.reduce((a, b) => a + b, 0) >= 60_000);
  });

  it("sends Prefect's headers: API version, API key or auth string, a content type with a body", async () => {
    seen.length = 0;
    await transport({ apiKey: "pnu_key" }).t.request("POST", "/flows/", { name: "f" });
    await transport({ authString: "admin:secret" }).t.request("DELETE", "/flows/x");
    await transport().t.request("GET", "/health");
    const [withKey, withAuth, bare] = seen;
    assert.equal(withKey?.headers["x-prefect-api-version"], API_VERSION);
    assert.equal(withKey?.headers.authorization, "Bearer pnu_key");
    assert.equal(withKey?.headers["content-type"], "application/json");
    assert.equal(
      withAuth?.headers.authorization,
      `Basic ${Buffer.from("admin:secret").toString("base64")}`,
    );
    // a request without a body says nothing of one
    assert.equal(withAuth?.headers["content-type"], undefined);
    assert.equal(bare?.headers.authorization, undefined);
    assert.equal(bare?.headers["x-prefect-api-version"], API_VERSION);
  });

  it("reads the API key and auth string from Prefect's settings", () => {
    const settings = loadSettings({
      PREFECT_API_URL: "http://127.0.0.1:4200/api",
      PREFECT_API_AUTH_STRING: "admin:secret",
    });
    assert.equal(settings.apiAuthString, "admin:secret");
    assert.equal(settings.apiKey, null);
  });
});
