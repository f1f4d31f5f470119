#!/usr/bin/env node
// Launcher for the `prefect-ts` CLI: the bundle when built (lib/, a few files to load), else tsc's
// modules (dist/), else the TypeScript sources through tsx. The imported module runs the command
// line itself.
import { existsSync } from "node:fs";

const built = ["../lib/cli/main.js", "../dist/cli/main.js"]
  .map((path) => new URL(path, import.meta.url))
  .find((url) => existsSync(url));
if (built) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
