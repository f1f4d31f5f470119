/**
 * Where a flow is defined, for the entrypoint of its deployments (`path/to/file.ts:exportName`, as
 * Prefect's `file.py:function`): the stack is captured when `flow()` is called — cheap, formatted
 * only when a deployment asks — and its first frame is the module that called `flow()`, whether it
 * runs under tsx (source-mapped to the `.ts` file) or plain node. The export name is read from
 * that line of the source (`export const etl = flow(…)`), or else the flow's name.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface DefinitionSite {
  /** Absolute path of the module that defined the flow. */
  file: string;
  line: number;
  column: number;
}

/** A stack captured at a call of `fn`, read when first asked. */
export function captureCallSite(fn: (...args: never[]) => unknown): () => DefinitionSite | null {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  let site: DefinitionSite | null | undefined;
  return () => {
    site ??= parseFirstFrame(holder.stack ?? "");
    return site;
  };
}

const FRAME = /^\s*at (?:.*?\()?((?:file:\/\/)?[^()]+?):(\d+):(\d+)\)?\s*$/;

function parseFirstFrame(stack: string): DefinitionSite | null {
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [, where = "", lineNo = "0", column = "0"] = m;
    if (where.startsWith("node:")) continue;
    const file = where.startsWith("file://") ? fileURLToPath(where) : where;
    if (!isAbsolute(file)) continue;
    return { file, line: Number(lineNo), column: Number(column) };
  }
  return null;
}

/** The name the flow is bound to at its definition (`const etl = flow(…)` → `etl`), if readable. */
export function boundName(site: DefinitionSite): string | null {
  let text: string;
  try {
    text = readFileSync(site.file, "utf8");
  } catch {
    return null;
  }
  const lines = text.split("\n");
  const upTo = [
    ...lines.slice(Math.max(0, site.line - 4), site.line - 1),
    (lines[site.line - 1] ?? "").slice(0, Math.max(0, site.column - 1)),
  ].join("\n");
  const m = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:await\s+)?$/.exec(upTo);
  return m?.[1] ?? null;
}

/** An identifier made of a flow name (`my-etl` → `my_etl`). */
function identifierOf(name: string): string {
  const id = name.replace(/[^\w$]/g, "_");
  return /^[A-Za-z_$]/.test(id) ? id : `_${id}`;
}

/**
 * The entrypoint of a flow defined at `site`: its file relative to `cwd` (with `/`), a colon, and
 * the name it is bound to (else the flow's name as an identifier).
 */
export function entrypointOf(
  site: DefinitionSite | null,
  flowName: string,
  cwd: string = process.cwd(),
): string | null {
  if (!site) return null;
  const path = relative(cwd, site.file).split(sep).join("/");
  return `${path}:${boundName(site) ?? identifierOf(flowName)}`;
}
