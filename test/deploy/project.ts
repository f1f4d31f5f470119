/**
 * What the deploy tests share: a project folder of their own (flows importing this checkout's
 * `src/`), the real `prefect-ts` CLI run in it as a subprocess, and the two places a deployment
 * is made — the local database (embedded) and a real server on an ephemeral port.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FastifyInstance } from "fastify";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const MAIN = join(ROOT, "src/cli/main.ts");
const TSX = import.meta.resolve("tsx");
/** `import … from` these in a project's flow files. */
export const SDK = pathToFileURL(join(ROOT, "src/index.ts")).href;
export const ZOD = import.meta.resolve("zod");

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `script` (a path) or `prefect-ts ARGS` in `cwd`, with only the given PREFECT_* settings. */
export function runNode(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Ran> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PREFECT_")) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export const prefectTs = (args: readonly string[], cwd: string, env: Record<string, string>) =>
  runNode([MAIN, ...args], cwd, env);

/** A scratch project folder (an ES module package) with these files (paths relative to it). */
export function makeProject(files: Record<string, string>): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "prefect-ts-deploy-"));
  for (const [path, text] of Object.entries({
    "package.json": '{ "type": "module" }\n',
    ...files,
  })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A flow module: `export const <name> = flow(…)` writing its working directory and parameters to `record`. */
export function flowModule(exportName: string, flowName: string, record: string): string {
  return `import { appendFileSync } from "node:fs";
import { z } from ${JSON.stringify(ZOD)};
import { flow } from ${JSON.stringify(SDK)};
export const ${exportName} = flow(
  { name: ${JSON.stringify(flowName)}, description: "The ${flowName} flow.", params: z.object({ n: z.number().default(1), who: z.string().default("x") }) },
  async ({ n, who }) => {
    appendFileSync(${JSON.stringify(record)}, JSON.stringify({ cwd: process.cwd(), n, who }) + "\\n");
    return n + 1;
  },
);
`;
}

export type Mode = "embedded" | "server";

export interface Place {
  db: TestDatabase;
  /** The models over the test database (to look at what was made). */
  client: EmbeddedClient;
  /** The CLI's settings for this place. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A test database, and a server on it on an ephemeral port when `mode` is server. */
export async function openPlace(dialect: DialectName, mode: Mode): Promise<Place> {
  const db = await createTestDatabase(dialect);
  const client = new EmbeddedClient(db.database, { ownsDatabase: false });
  const env: Record<string, string> = {
    PREFECT_HOME: db.home,
    PREFECT_API_DATABASE_CONNECTION_URL: db.url,
  };
  let app: FastifyInstance | null = null;
  if (mode === "server") {
    app = await createCheckedApp({ database: db.database });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    env.PREFECT_API_URL = `${base}/api`;
  }
  return {
    db,
    client,
    env,
    close: async () => {
      await app?.close();
      await client.close();
      await db.dispose();
    },
  };
}
