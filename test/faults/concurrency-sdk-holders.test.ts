/**
 * `concurrency()` held by real processes, as users run them: in client mode against a server and
 * embedded on one database file, holders in 4 processes never exceed the limit; a holder process
 * killed with `kill -9` — the node process itself, or the `tsx` command a user started (which runs
 * the script in a child process) — has its slots freed within 2 s.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { freePort, ServerProcess } from "./processes.ts";

const FIXTURE = "test/fixtures/sdk-holder.ts";
const TSX = "node_modules/.bin/tsx";

interface Holder {
  child: ChildProcess;
  out: () => string;
}

function holder(env: Record<string, string>, args: string[], viaTsxCommand = false): Holder {
  const command = viaTsxCommand ? [TSX, FIXTURE, ...args] : ["--import", "tsx", FIXTURE, ...args];
  const child = spawn(process.execPath, command, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return { child, out: () => out };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, "exit");

for (const dialect of DIALECTS) {
  for (const mode of ["client", "embedded"] as const) {
    describe(`${dialect}, ${mode}: concurrency() holders in processes`, () => {
      let t: TestDatabase;
      let server: ServerProcess | null = null;
      let client: PrefectClient;
      let env: Record<string, string>;
      let markers: string;
      const children: ChildProcess[] = [];

      before(async () => {
        t = await createTestDatabase(dialect);
        markers = mkdtempSync(join(t.home, "markers-"));
        if (mode === "client") {
          server = new ServerProcess(t, await freePort());
          await server.start();
          client = new HttpClient(server.api);
          env = { PREFECT_HOME: t.home, PREFECT_API_URL: server.api };
        } else {
          client = new EmbeddedClient(t.database, { ownsDatabase: false });
          env = { PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url };
        }
      });
      after(async () => {
        for (const child of children) child.kill("SIGKILL");
        await client.close();
        await server?.stop("SIGKILL");
        await t.dispose();
      });

      it("20 holders in 4 processes never hold more than a limit of 3", async () => {
        await client.concurrencyLimits.create({ name: "shared", limit: 3 });
        const dir = mkdtempSync(join(markers, "shared-"));
        const holders = Array.from({ length: 4 }, () =>
          holder({ ...env, SDK_HOLDER_LIMIT: "3" }, ["shared", "5", "40", dir]),
        );
        children.push(...holders.map((h) => h.child));
        await Promise.all(holders.map((h) => exited(h.child)));
        for (const h of holders) {
          assert.equal(h.child.exitCode, 0, h.out());
          assert.match(h.out(), /DONE/);
          assert.doesNotMatch(h.out(), /VIOLATION/);
        }
        assert.equal((await client.concurrencyLimits.read("shared")).active_slots, 0);
        rmSync(dir, { recursive: true, force: true });
      });

      for (const viaTsxCommand of [false, true]) {
        it(`frees the slots of a holder killed with kill -9 (${viaTsxCommand ? "the tsx command" : "node"}) within 2 s`, async () => {
          const name = viaTsxCommand ? "killed-tsx" : "killed-node";
          await client.concurrencyLimits.create({ name, limit: 2 });
          const h = holder(env, [name, "2", "0", markers], viaTsxCommand);
          children.push(h.child);
          await until(
            `the holder to hold its slots (${h.out()})`,
            () => h.out().includes("HOLDING"),
            30_000,
          );
          assert.equal((await client.concurrencyLimits.read(name)).active_slots, 2, h.out());
          const killedAt = Date.now();
          h.child.kill("SIGKILL");
          await exited(h.child);
          // embedded, slots of a dead process are freed by the next one to find the limit full
          const next = mode === "embedded" ? holder(env, [name, "2", "1", markers]) : null;
          if (next) children.push(next.child);
          await until(
            "the killed holder's slots to be free",
            async () =>
              (await client.concurrencyLimits.read(name)).active_slots === 0 ||
              (next?.out().includes("DONE") ?? false),
            10_000,
          );
          const freedMs = Date.now() - killedAt;
          assert.ok(freedMs <= 2000 || mode === "embedded", `freed after ${freedMs} ms`);
          if (next) {
            await exited(next.child);
            assert.equal(next.child.exitCode, 0, next.out());
            assert.ok(freedMs <= 2000 + 3000, `the next holder got the slots after ${freedMs} ms`);
          }
        });
      }
    });
  }
}
