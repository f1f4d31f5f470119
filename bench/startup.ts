/**
 * Start-up costs (issue #19: `import "prefect-ts"` ≤ 100 ms, a CLI command ≤ 150 ms, `server
 * start` to a healthy `/api/health` ≤ 500 ms), in fresh processes of the built package (`dist/`,
 * so run `npm run build:server` first), JSON on stdout and in bench/results/startup.json:
 *  - `import`: a process that imports the SDK (`dist/index.js`) and exits;
 *  - `version`: `prefect-ts --version`;
 *  - `deploymentLs`, `flowRunLs`: the commands on the embedded client, on a SQLite database
 *    already created (a fresh PREFECT_HOME, its first command run once before timing);
 *  - `firstCommand`: `deployment ls` in a fresh PREFECT_HOME (creates and migrates the database);
 *  - `serverStart`: `prefect-ts server start --port 0` (UI off, same database) until `/api/health`
 *    answers 200;
 * each the median wall time (ms) of `--repeat` runs (default 10), next to the floor measured in
 * the same run: `node -e 0`.
 * Usage: npm run bench:startup [-- --repeat 10] [--root <another checkout, built, to measure>]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const repeat = Number(option("--repeat", "10"));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const root = resolve(option("--root", "."));
if (!existsSync(join(root, "dist/cli/main.js"))) {
  process.stderr.write("bench:startup runs the built package: run `npm run build:server` first\n");
  process.exit(1);
}

const bin = join(root, "bin/prefect-ts.js");
const sdk = join(root, "dist/index.js");
const homes: string[] = [];

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-startup-"));
  homes.push(home);
  return home;
}

function envFor(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PREFECT_HOME: home };
  for (const key of Object.keys(env)) {
    if (key.startsWith("PREFECT_") && key !== "PREFECT_HOME") delete env[key];
  }
  return env;
}

/** Wall time (ms) of one process from spawn to exit; it must exit 0. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.once("error", fail);
    child.once("exit", (code) => {
      const ms = performance.now() - t0;
      if (code === 0) done(ms);
      else fail(new Error(`${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

/** Wall time (ms) from spawning `server start --port 0` to its first 200 from `/api/health`. */
async function timeServerStart(env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, "server", "start", "--port", "0"], {
    env: { ...env, PREFECT_UI_ENABLED: "false" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const api = await new Promise<string>((done, fail) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^API:\s+(\S+)$/m.exec(out);
        if (m?.[1]) done(m[1]);
      });
      child.once("exit", (code) => fail(new Error(`server exited ${code}: ${out}`)));
    });
    const res = await fetch(`${api}/health`);
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  } finally {
    const exited = new Promise((done) => child.once("exit", done));
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

async function series(run: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < repeat; i++) xs.push(await run());
  return round(median(xs));
}

try {
  const home = freshHome();
  const env = envFor(home);
  // the database exists before the commands are timed
  await timeProcess([bin, "deployment", "ls"], env);

  const figures = {
    floorNodeMs: await series(() => timeProcess(["-e", "0"], env)),
    importMs: await series(() =>
      timeProcess(["--input-type=module", "-e", `await import(${JSON.stringify(sdk)})`], env),
    ),
    versionMs: await series(() => timeProcess([bin, "--version"], env)),
    deploymentLsMs: await series(() => timeProcess([bin, "deployment", "ls"], env)),
    flowRunLsMs: await series(() => timeProcess([bin, "flow-run", "ls"], env)),
    firstCommandMs: await series(() => timeProcess([bin, "deployment", "ls"], envFor(freshHome()))),
    serverStartMs: await series(() => timeServerStart(env)),
  };
  const result = {
    bench: "startup",
    root: root === resolve(".") ? "." : root,
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    repeat,
    ...figures,
  };
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  if (root === resolve(".")) {
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/startup.json", `${text}\n`);
  }
} finally {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}
