/**
 * The shape of src/, held by a test: no import circle (type-only imports count: a circle of types
 * still ties the modules together), and imports go one way between the layers the architecture
 * page draws (docs/architecture.md).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve(import.meta.dirname, "..", "..", "src");

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith(".d.ts"))
      out.push(path);
  }
  return out;
}

/** Relative imports of a file (static and dynamic, type-only included), as src-relative paths. */
function importsOf(file: string, known: Set<string>): { target: string; dynamic: boolean }[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const found: { target: string; dynamic: boolean }[] = [];
  const add = (spec: string, dynamic: boolean) => {
    const base = resolve(dirname(file), spec);
    const hit = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")].find(
      (candidate) => known.has(candidate),
    );
    if (hit) found.push({ target: relative(SRC, hit), dynamic });
  };
  for (const m of text.matchAll(
    /^\s*(?:import|export)\s+(?:type\s+)?[^;]*?from\s+["'](\.[^"']+)["']/gm,
  ))
    add(m[1] as string, false);
  for (const m of text.matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g)) add(m[1] as string, true);
  return found;
}

const files = sourceFiles(SRC);
const known = new Set(files);
const graph = new Map(files.map((f) => [relative(SRC, f), importsOf(f, known)] as const));

/** Strongly connected components of more than one file (Tarjan). */
function circles(): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w))
        low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

/** Imports from files matching `from` into files matching `to` (static ones unless `dynamic`). */
function violations(from: RegExp, to: RegExp, options: { dynamic?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    if (!from.test(file)) continue;
    for (const { target, dynamic } of imports) {
      if (dynamic && !options.dynamic) continue;
      if (to.test(target)) out.push(`${file} → ${target}`);
    }
  }
  return out;
}

const OUTSIDE_CORE = /^(?!core\/)/;

describe("the architecture of src/", () => {
  it("has no import circle, type-only imports included", () => {
    assert.ok(graph.size > 150, `only ${graph.size} files found under ${SRC}`);
    assert.deepEqual(circles(), []);
  });

  it("core/ imports nothing of ours outside core/", () => {
    assert.deepEqual(violations(/^core\//, OUTSIDE_CORE, { dynamic: true }), []);
  });

  it("orchestration/ is pure: it imports core/ and itself only", () => {
    assert.deepEqual(violations(/^orchestration\//, /^(?!core\/|orchestration\/)/), []);
  });

  it("storage/ knows no resource, service, HTTP or SDK", () => {
    assert.deepEqual(violations(/^storage\//, /^(?!core\/|storage\/)/), []);
  });

  it("queries know storage and the domain only; models know no HTTP", () => {
    const queries = /^resources\/[^/]+\/(queries|[\w-]+-queries)\.ts$/;
    assert.deepEqual(
      violations(
        queries,
        /^(server|services|sdk|engine|client|cli)\/|^resources\/[^/]+\/(model|[\w-]*routes?|[\w-]*schema)\.ts$/,
      ),
      [],
    );
    assert.deepEqual(
      violations(
        /^resources\/[^/]+\/model\.ts$/,
        /^(server|cli|sdk|engine|client)\/|^resources\/[^/]+\/[\w-]*routes?\.ts$/,
      ),
      [],
    );
  });

  it("only the HTTP edge imports the server: routes, request and response schemas", () => {
    // what reads or answers the wire: the server, each resource's routes and schemas (zod), the
    // fast paths in front of them, and the recorder reading the task-run events clients send
    const edge =
      /^server\/|^resources\/[^/]+\/([\w-]*routes?|sockets|[\w-]*schema|ordinary-[\w-]+|recorder)\.ts$/;
    const found = [...graph]
      .filter(([file]) => !edge.test(file) && !file.startsWith("cli/"))
      .flatMap(([file, imports]) =>
        imports
          .filter(({ target }) => /^server\/|^resources\/[^/]+\/[\w-]*routes?\.ts$/.test(target))
          .map(({ target }) => `${file} → ${target}`),
      );
    assert.deepEqual(found, []);
  });

  it("every resource is a folder of the same pieces", () => {
    const resources = readdirSync(join(SRC, "resources"));
    assert.ok(resources.length >= 8, resources.join(", "));
    for (const resource of resources) {
      const pieces = new Set(readdirSync(join(SRC, "resources", resource)));
      for (const piece of ["schema.ts", "queries.ts", "model.ts", "routes.ts"]) {
        assert.ok(pieces.has(piece), `resources/${resource} has no ${piece}`);
      }
    }
    // each CLI command of a resource sits in its folder
    for (const resource of ["flows", "flow-runs", "task-runs"]) {
      assert.ok(statSync(join(SRC, "resources", resource, "cli.ts")).isFile());
    }
  });

  it("sdk/ is the facade over engine/: engine/ never imports sdk/", () => {
    assert.deepEqual(violations(/^engine\//, /^sdk\//), []);
  });

  it("the SDK side reaches the core only through a client (the embedded one loaded lazily)", () => {
    const sdkSide = /^(sdk|engine|client|runner|results|caching|transactions)\//;
    const serverSide = /^(server|storage|resources|services|orchestration|embedded)\//;
    assert.deepEqual(violations(sdkSide, serverSide), []);
  });
});
