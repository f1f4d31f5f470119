/**
 * Start-up costs (issue #19: `import "prefect-ts"` ≤ 100 ms, a CLI command ≤ 150 ms, `server
 * start` to a healthy `/api/health` ≤ 500 ms), in fresh processes of the built package (the bundle
 * in `lib/`, so run `npm run build:server` first), JSON on stdout and in
 * bench/results/startup.json:
 *  - `import`: a process that imports the SDK (`lib/main/index.js`, the package's export) and exits;
 *  - `version`: `prefect-ts --version`;
 *  - `deploymentLs`, `flowRunLs`: the commands on the embedded client, on a SQLite database
 *    already created (a fresh PREFECT_HOME, its first command run once before timing);
 *  - `firstCommand`: `deployment ls` in a fresh PREFECT_HOME (creates and migrates the database);
 *  - `serverStart`: `prefect-ts server start --port 0` (UI off, same database) until `/api/health`
 *    answers 200;
 * each the median wall time (ms) of `--repeat` runs (default 10) and the median CPU time of the
 * process (`…CpuMs`: what the load of a shared machine changes least), next to the floor measured
 * in the same run: `node -e 0`.
 * With `--compare <dir>` (another checkout, built), each figure of that checkout is measured too,
 * its runs alternating with this one's (a shared machine's load falls on both alike).
 * Usage: npm run bench:startup [-- --repeat 10] [--compare <dir>]
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

const compare = process.argv.includes("--compare") ? resolve(option("--compare", ".")) : null;
const roots = [resolve("."), ...(compare ? [compare] : [])];
for (const root of roots) {
  if (!existsSync(join(root, "dist/cli/main.js"))) {
    process.stderr.write(
      `bench:startup runs the built package: run \`npm run build:server\` in ${root}\n`,
    );
    process.exit(1);
  }
}

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

/** Reports the process's CPU time (user + system, all threads) on stderr as it exits. */
const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  'import { writeSync } from "node:fs"; process.on("exit", () => { const u = process.cpuUsage(); writeSync(2, "CPU " + (u.user + u.system) / 1000 + "\\n"); });',
)}`;

interface Timing {
  /** From spawn to exit. */
  wallMs: number;
  /** The process's CPU time: what a shared machine's load changes least. */
  cpuMs: number;
}

/** Wall and CPU time (ms) of one process; it must exit 0. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", CPU_AT_EXIT, ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.once("error", fail);
    child.once("exit", (code) => {
      const wallMs = performance.now() - t0;
      const cpu = /^CPU (\S+)$/m.exec(err);
      if (code === 0 && cpu?.[1]) done({ wallMs, cpuMs: Number(cpu[1]) });
      else fail(new Error(`${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

/** Wall time (ms) from spawning `server start --port 0` to its first 200 from `/api/health`. */
async function timeServerStart(bin: string, env: NodeJS.ProcessEnv): Promise<Timing> {
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
    return { wallMs: performance.now() - t0, cpuMs: Number.NaN };
  } finally {
    const exited = new Promise((done) => child.once("exit", done));
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

/** The medians of `repeat` runs of each root, the roots' runs alternating. */
async function series(run: (root: string) => Promise<Timing>): Promise<Timing[]> {
  const xs: Timing[][] = roots.map(() => []);
  for (let i = 0; i < repeat; i++) {
    for (const [r, root] of roots.entries()) xs[r]?.push(await run(root));
  }
  return xs.map((x) => ({
    wallMs: round(median(x.map((t) => t.wallMs))),
    cpuMs: round(median(x.map((t) => t.cpuMs))),
  }));
}

const binOf = (root: string) => join(root, "bin/prefect-ts.js");
// the SDK as the package exports it: the bundle (lib/) when built, else tsc's modules (a checkout
// compared from before the bundle)
const sdkOf = (root: string) =>
  existsSync(join(root, "lib/main/index.js"))
    ? join(root, "lib/main/index.js")
    : join(root, "dist/index.js");
const importSdk = (root: string) => `await import(${JSON.stringify(sdkOf(root))})`;

try {
  const home = freshHome();
  const env = envFor(home);
  // the database exists before the commands are timed (one per root: each its own migrations)
  const envs = new Map(roots.map((root, i) => [root, i === 0 ? env : envFor(freshHome())]));
  const envOf = (root: string) => envs.get(root) ?? env;
  for (const root of roots) await timeProcess([binOf(root), "deployment", "ls"], envOf(root));

  const figures = {
    floorNodeMs: await series(() => timeProcess(["-e", "0"], env)),
    importMs: await series((root) =>
      timeProcess(["--input-type=module", "-e", importSdk(root)], env),
    ),
    versionMs: await series((root) => timeProcess([binOf(root), "--version"], envOf(root))),
    deploymentLsMs: await series((root) =>
      timeProcess([binOf(root), "deployment", "ls"], envOf(root)),
    ),
    flowRunLsMs: await series((root) => timeProcess([binOf(root), "flow-run", "ls"], envOf(root))),
    firstCommandMs: await series((root) =>
      timeProcess([binOf(root), "deployment", "ls"], envFor(freshHome())),
    ),
    serverStartMs: await series((root) => timeServerStart(binOf(root), envOf(root))),
  };
  // `<figure>Ms` the wall time, `<figure>CpuMs` the process's CPU time (not for the server)
  const of = (r: number) =>
    Object.fromEntries(
      Object.entries(figures).flatMap(([k, v]) => {
        const t = v[r] as Timing;
        const cpu = Number.isNaN(t.cpuMs) ? [] : [[k.replace(/Ms$/, "CpuMs"), t.cpuMs]];
        return [[k, t.wallMs], ...cpu];
      }),
    );
  const result = {
    bench: "startup",
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    repeat,
    ...of(0),
    ...(compare ? { compared: { root: compare, ...of(1) } } : {}),
  };
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/startup.json", `${text}\n`);
} finally {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}
