/**
 * The web UI, as Prefect's server hosts it: the built React app (`ui/dist`) at `/` with a single-page
 * fallback (any other GET outside `/api` answers `index.html`), and `GET /ui-settings`, from which
 * the UI learns the API URL.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export interface UiOptions {
  /** The built UI; default: the package's `ui/dist`. */
  distDir?: string;
  /**
   * The API URL the browser uses (`PREFECT_UI_API_URL`); default: `/api`, relative to the origin the
   * browser loaded the UI from (never taken from the request's Host header).
   */
  apiUrl?: string | null;
}

/**
 * `ui/dist` of this package, from `src/server` (tsx), `dist/server` (tsc) and `lib/chunks` (the
 * bundle) alike: each two folders below the package root.
 */
export function defaultUiDistDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "ui", "dist");
}

/** The body of `GET /ui-settings` (Prefect's `UISettings` shape). */
export function uiSettingsBody(
  apiUrl: string,
  security: { auth: boolean; csrfEnabled: boolean } = { auth: false, csrfEnabled: false },
) {
  return {
    api_url: apiUrl,
    csrf_enabled: security.csrfEnabled,
    // "BASIC" makes the UI ask for the auth string (its login page), as Prefect's UI does
    auth: security.auth ? "BASIC" : null,
    flags: [] as string[],
    default_ui: "v1",
    available_uis: ["v1"],
    v1_base_url: "/",
    v2_base_url: null,
  };
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Prefect TS</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>The Prefect TS UI is not built</h1>
<p>The API is running at <code>/api</code>. Build the UI with <code>npm run build</code> (or <code>npm install</code>, which builds it) and restart the server.</p>`;

export async function uiApp(app: FastifyInstance, options: UiOptions): Promise<void> {
  const distDir = options.distDir ?? defaultUiDistDir();
  const { settings } = app.core.ctx;
  const body = uiSettingsBody(options.apiUrl ?? "/api", {
    auth: settings.serverApiAuthString !== null,
    csrfEnabled: settings.serverCsrfProtectionEnabled,
  });
  app.get("/ui-settings", { schema: { hide: true } }, async () => body);
  const built = existsSync(join(distDir, "index.html"));
  if (built) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: "/",
      wildcard: false,
      index: false,
      // the build writes .br and .gz copies of the assets (ui/scripts/compress.mjs)
      preCompressed: true,
      // our own cache-control (below), not the plugin's max-age
      cacheControl: false,
      setHeaders: (res, path) => {
        // hashed bundle files never change; index.html must be revalidated to pick up a new build
        res.setHeader(
          "cache-control",
          relative(distDir, path).startsWith(`assets${sep}`)
            ? "public, max-age=31536000, immutable"
            : "no-cache",
        );
      },
    });
  }
  app.get("/*", { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    if (path === "/api" || path.startsWith("/api/")) {
      return reply.code(404).send({ detail: "Not Found" });
    }
    if (!built) return reply.code(200).type("text/html; charset=utf-8").send(NOT_BUILT);
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html");
  });
}
