#!/usr/bin/env node
// Launcher for the `prefect-ts` CLI: the compiled build when present, else the TypeScript sources
// through tsx. The imported module runs the command line itself.
import { existsSync } from "node:fs";

const dist = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
