/**
 * Load a flow from an entrypoint `path/to/file.ts:exportName` (the path relative to the working
 * directory, or to the deployment's `path`): import the module with the entrypoint mode on, then
 * take its export of that name — or, for a script that defines its flow and serves it without
 * exporting it, the flow it defined (its `serve()` call ends the loading instead of serving).
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { type FlowHandle, flowHandleOf, setEntrypointMode } from "../engine/flow-handle.ts";

/** An entrypoint that cannot be loaded, or that names no flow: the message says which and why. */
export class EntrypointError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.VALIDATION, message, options);
  }
}

/** `file:export` → its two parts (the last colon splits them). */
export function splitEntrypoint(entrypoint: string): { file: string; exportName: string } {
  const colon = entrypoint.lastIndexOf(":");
  if (colon <= 0 || colon === entrypoint.length - 1)
    throw new EntrypointError(
      `Invalid entrypoint '${entrypoint}': give it as path/to/file.ts:exportName`,
    );
  return { file: entrypoint.slice(0, colon), exportName: entrypoint.slice(colon + 1) };
}

function resolveFile(file: string, bases: readonly string[]): string {
  if (isAbsolute(file)) return file;
  for (const base of bases) {
    const path = resolve(base, file);
    if (existsSync(path)) return path;
  }
  return resolve(bases[0] ?? process.cwd(), file);
}

let typescriptLoader: Promise<void> | null = null;

/**
 * A TypeScript entrypoint loaded by a process that runs compiled JavaScript (`npx prefect-ts …`
 * from the build): tsx's loader is registered once, first (tsx is a dependency of the package).
 */
function ensureTypescriptLoader(path: string): Promise<void> {
  if (!/\.[cm]?tsx?$/.test(path)) return Promise.resolve();
  const underTsx =
    process.execArgv.some((a) => a.includes("tsx")) || import.meta.url.endsWith(".ts");
  if (underTsx) return Promise.resolve();
  typescriptLoader ??= import("tsx/esm/api").then(({ register }) => {
    register();
  });
  return typescriptLoader;
}

/** Modules being loaded, so that two loads of one entrypoint share the import. */
const loads = new Map<string, Promise<{ namespace: object | null; flows: FlowHandle[] }>>();

function importWithMode(path: string): Promise<{ namespace: object | null; flows: FlowHandle[] }> {
  let found = loads.get(path);
  if (found) return found;
  found = (async () => {
    const flows: FlowHandle[] = [];
    let served: () => void = () => undefined;
    const servedNow = new Promise<null>((ok) => {
      served = () => ok(null);
    });
    await ensureTypescriptLoader(path);
    setEntrypointMode({ flows, served });
    try {
      const namespace = await Promise.race([
        import(pathToFileURL(path).href) as Promise<object>,
        servedNow,
      ]);
      return { namespace, flows };
    } finally {
      setEntrypointMode(undefined);
    }
  })();
  loads.set(path, found);
  found.catch(() => loads.delete(path));
  return found;
}

export interface LoadFlowOptions {
  /** The name of the deployment's flow: the flow to take when the export cannot be read. */
  flowName?: string | null;
  /** Where a relative path is looked for, in order (default: the working directory). */
  bases?: readonly string[];
}

/** The flow an entrypoint names, loaded in this process. */
export async function loadFlow(
  entrypoint: string,
  options: LoadFlowOptions = {},
): Promise<FlowHandle> {
  const { file, exportName } = splitEntrypoint(entrypoint);
  const path = resolveFile(file, options.bases ?? [process.cwd()]);
  if (!existsSync(path))
    throw new EntrypointError(`Entrypoint '${entrypoint}': file ${path} not found`);
  let loaded: { namespace: object | null; flows: FlowHandle[] };
  try {
    loaded = await importWithMode(path);
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new EntrypointError(`Entrypoint '${entrypoint}' could not be loaded: ${why}`, {
      cause: error,
    });
  }
  const { namespace, flows } = loaded;
  if (namespace && exportName in namespace) {
    const value = (namespace as Record<string, unknown>)[exportName];
    const handle = flowHandleOf(value);
    if (handle) return handle;
    throw new EntrypointError(
      `Entrypoint '${entrypoint}': '${exportName}' is not a flow (it is ${value === null ? "null" : typeof value}); export a flow made with flow()`,
    );
  }
  const own = flows.filter((f) => f.file === path);
  const named = options.flowName ? own.filter((f) => f.name === options.flowName) : own;
  const pick =
    named.length === 1
      ? named[0]
      : options.flowName
        ? flows.find((f) => f.name === options.flowName)
        : undefined;
  if (pick) return pick;
  throw new EntrypointError(
    `Entrypoint '${entrypoint}': ${path} exports no flow named '${exportName}'${options.flowName ? ` and defines no flow '${options.flowName}'` : ""}`,
  );
}
