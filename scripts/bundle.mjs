// Bundles the built modules (dist/, from tsc) into lib/: the SDK, the worker API, the CLI and the
// flow-run child process as entry points, their shared code in chunks, so that a process loads a
// few files instead of hundreds (start-up is spent resolving and reading modules, not running
// them). Every output file sits two folders below the package root, as dist/'s modules do, so
// paths they take from import.meta.url (the UI's files, bin/, package.json) stay the same.
// Packages with native parts, their own file layout or instances shared with other packages stay
// external: they load from node_modules as before. ws is bundled: imported from ESM, each of its
// CommonJS files would be parsed for its exports as a client process opens its events socket.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url);
const outdir = new URL("lib", root).pathname;
rmSync(outdir, { recursive: true, force: true });

const external = [
  "better-sqlite3",
  "pg",
  "pg-native",
  "ioredis",
  "bufferutil",
  "utf-8-validate",
  "fastify",
  "@fastify/*",
  "fastify-type-provider-zod",
  "pino",
  "pino-*",
  "ajv",
  "zod",
  "tsx",
  "tsx/*",
  "esbuild",
  "playwright-core",
];

await build({
  absWorkingDir: new URL(".", root).pathname,
  entryPoints: {
    "main/index": "dist/index.js",
    "main/worker": "dist/worker/index.js",
    "cli/main": "dist/cli/main.js",
    "runner/child-main": "dist/runner/child-main.js",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external,
  sourcemap: true,
  logLevel: "warning",
  // CommonJS packages in the bundle call require(): give ESM output one
  banner: {
    js: 'import { createRequire as __prefectTsRequire } from "node:module"; const require = __prefectTsRequire(import.meta.url);',
  },
});
