/**
 * Slots that cannot leak, with real processes against a real server process (`prefect-ts server
 * start`) on both databases:
 *
 * - 48 contenders across 4 processes on a limit of N (1, then 3): the holders themselves never see
 *   more than N of them holding a slot at once (marker files they count as they take a slot);
 * - processes holding slots killed with `kill -9`: every slot is free within 2 s of the last kill
 *   (their holder sockets close with them);
 * - the server killed with `kill -9` and started again while holders are killed meanwhile: the
 *   living holders attach again and keep their leases (renewed), the dead ones' are freed once the
 *   grace period passes, a lease not bound to anyone keeps its slot: nothing lost, nothing leaked.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { freePort, ServerProcess } from "./processes.ts";

interface Holder {
  child: ChildProcess;
  output: () => string;
  line(pattern: RegExp): Promise<string>;
  exit: Promise<unknown>;
}

function holder(args: string[], env: Record<string, string> = {}): Holder {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/concurrency-holder.ts", ...args],
    { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = once(child, "exit");
  return {
    child,
    output: () => out,
    exit,
    line: (pattern) =>
      until(
        `${pattern} from a holder (${err.slice(-500)})`,
        () => {
          const match = pattern.exec(out);
          if (match) return match[1] ?? match[0];
          if (child.exitCode !== null) throw new Error(`holder exited: ${out}\n${err}`);
          return null;
        },
        60_000,
      ),
  };
}

async function killAll(holders: readonly Holder[]): Promise<void> {
  for (const h of holders) {
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill("SIGKILL");
  }
  await Promise.all(holders.map((h) => h.exit));
}

for (const dialect of DIALECTS) {
  describe(`concurrency slots cannot leak (${dialect})`, () => {
    let tdb: TestDatabase;
    let server: ServerProcess;
    const spawned: Holder[] = [];

    async function api<T>(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: T }> {
      const res = await fetch(`${server.api}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    }
    const activeSlots = async (name: string) =>
      (await api<{ active_slots: number }>("GET", `/v2/concurrency_limits/${name}`)).body
        .active_slots;
    const start = (args: string[], env: Record<string, string> = {}) => {
      const h = holder([server.api, ...args], env);
      spawned.push(h);
      return h;
    };

    before(async () => {
      tdb = await createTestDatabase(dialect);
      server = new ServerProcess(tdb, await freePort(), {
        PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS: "2",
      });
      await server.start();
    });
    after(async () => {
      await killAll(spawned);
      await server.stop("SIGKILL");
      await tdb.dispose();
    });

    for (const n of [1, 3, 10]) {
      it(`never lets more than ${n} of 48 contenders in 4 processes hold a limit of ${n}`, async () => {
        const name = `contended-${n}`;
        assert.equal(
          (await api("POST", "/v2/concurrency_limits/", { name, limit: n })).status,
          201,
        );
        const markers = mkdtempSync(join(tmpdir(), "prefect-ts-markers-"));
        try {
          const procs = Array.from({ length: 4 }, () =>
            start([name, "12", "2", "5", markers], { HOLDER_LIMIT: String(n) }),
          );
          await Promise.all(procs.map((p) => p.line(/DONE/)));
          for (const p of procs) assert.doesNotMatch(p.output(), /VIOLATION/);
          assert.equal(await activeSlots(name), 0);
        } finally {
          rmSync(markers, { recursive: true, force: true });
        }
      });
    }

    it("frees the slots of 1,000 holders killed with kill -9, in random order, within 2 s", async () => {
      const name = "killed";
      await api("POST", "/v2/concurrency_limits/", { name, limit: 1000 });
      const procs = Array.from({ length: 10 }, () => start([name, "100", "0", "0", "-"]));
      await Promise.all(procs.map((p) => p.line(/HOLDING 100/)));
      assert.equal(await activeSlots(name), 1000);
      // killed one process at a time, in random order
      const order = procs.map((p) => ({ p, key: Math.random() })).sort((a, b) => a.key - b.key);
      for (const { p } of order) await killAll([p]);
      const killedAt = Date.now();
      await until(
        "every killed holder's slot freed",
        async () => (await activeSlots(name)) === 0,
        2000,
      );
      assert.ok(Date.now() - killedAt <= 2000, `freed ${Date.now() - killedAt} ms after the kills`);
    });

    it("a server restart loses no lease and keeps no dead one", async () => {
      const name = "restarted";
      await api("POST", "/v2/concurrency_limits/", { name, limit: 20 });
      const survivors = [start([name, "3", "0", "0", "-"]), start([name, "3", "0", "0", "-"])];
      const doomed = [start([name, "3", "0", "0", "-"]), start([name, "3", "0", "0", "-"])];
      await Promise.all([...survivors, ...doomed].map((p) => p.line(/HOLDING 3/)));
      // a lease bound to nobody (Prefect's client): kept until it expires
      const plain = await api<{ lease_id: string }>(
        "POST",
        "/v2/concurrency_limits/increment-with-lease",
        {
          names: [name],
          slots: 1,
          lease_duration: 300,
        },
      );
      assert.equal(plain.status, 200);
      assert.equal(await activeSlots(name), 13);

      await server.stop("SIGKILL");
      await killAll(doomed);
      await server.start();
      // the survivors attach again: each printed ATTACHED twice
      await until(
        "the survivors attached again",
        () => survivors.every((s) => (s.output().match(/ATTACHED/g) ?? []).length >= 2),
        20_000,
      );
      await until(
        "the dead holders' slots freed",
        async () => (await activeSlots(name)) === 7,
        10_000,
      );
      for (const s of survivors) {
        s.child.stdin?.write("renew\n");
        assert.equal(await s.line(/RENEWED (\d+)/), "3", "a survivor's leases are all there");
      }
      const renewed = await api(
        "POST",
        `/v2/concurrency_limits/leases/${plain.body.lease_id}/renew`,
        {
          lease_duration: 300,
        },
      );
      assert.equal(renewed.status, 204);
      assert.equal(await activeSlots(name), 7);
      await killAll(survivors);
      await until("the survivors' slots freed", async () => (await activeSlots(name)) === 1, 2000);
    });
  });
}
