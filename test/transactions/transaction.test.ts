import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LocalFileSystem } from "../../src/results/local-file-storage.ts";
import { ResultStore } from "../../src/results/result-store.ts";
import { IsolationLevel } from "../../src/transactions/isolation.ts";
import { MemoryLockManager } from "../../src/transactions/lock-managers/memory-lock-manager.ts";
import { CommitMode, getTransaction, transaction } from "../../src/transactions/transaction.ts";

const dir = mkdtempSync(join(tmpdir(), "prefect-ts-txn-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = () =>
  new ResultStore({ storage: new LocalFileSystem(dir), lockManager: new MemoryLockManager() });

describe("transactions", () => {
  it("a committed key makes a later transaction with the key see it committed", async () => {
    const s = store();
    const seen: boolean[] = [];
    for (let i = 0; i < 2; i++)
      await transaction({ key: "daily-load", store: s }, (txn) => {
        seen.push(txn.isCommitted());
      });
    assert.deepEqual(seen, [false, true]);
  });

  it("rolls back on an error: rollback hooks run last-staged first, then the error propagates", async () => {
    const order: string[] = [];
    await assert.rejects(
      transaction({}, async (txn) => {
        txn.stage(null, { onRollback: [() => order.push("first")] });
        await transaction({}, (inner) => {
          inner.stage(null, {
            onRollback: [() => order.push("inner")],
            onCommit: [() => order.push("never")],
          });
        });
        txn.stage(null, { onRollback: [() => order.push("second")] });
        throw new Error("downstream failed");
      }),
      /downstream failed/,
    );
    assert.deepEqual(order, ["second", "first", "inner"]);
  });

  it("nested transactions commit with the outermost one (LAZY), children first", async () => {
    const order: string[] = [];
    await transaction({}, async (outer) => {
      outer.stage(null, { onCommit: [() => order.push("outer")] });
      await transaction({}, (inner) => {
        inner.stage(null, { onCommit: [() => order.push("inner")] });
        assert.equal(getTransaction(), inner);
      });
      assert.deepEqual(order, [], "nothing commits before the outermost transaction ends");
    });
    assert.deepEqual(order, ["inner", "outer"]);
    assert.equal(getTransaction(), null);
  });

  it("EAGER commits at the end of its block; OFF never commits", async () => {
    const order: string[] = [];
    await transaction({}, async () => {
      await transaction({ commitMode: CommitMode.EAGER }, (t) => {
        t.stage(null, { onCommit: [() => order.push("eager")] });
      });
      assert.deepEqual(order, ["eager"]);
    });
    await transaction({ commitMode: CommitMode.OFF }, (t) => {
      t.stage(null, {
        onCommit: [() => order.push("off")],
        onRollback: [() => order.push("off-rolled-back")],
      });
    });
    assert.deepEqual(order, ["eager", "off-rolled-back"]);
  });

  it("set/get share values with nested transactions; unknown keys throw unless defaulted", async () => {
    await transaction({}, async (txn) => {
      txn.set("rows", 3);
      await transaction({}, (inner) => {
        assert.equal(inner.get("rows"), 3);
        inner.set("rows", 4);
      });
      assert.equal(txn.get("rows"), 3);
      assert.equal(txn.get("missing", "fallback"), "fallback");
      assert.throws(() => txn.get("missing"), /unknown key: missing/);
    });
  });

  it("SERIALIZABLE: concurrent transactions on one key run one at a time", async () => {
    const s = store();
    let inside = 0;
    let most = 0;
    const work = () =>
      transaction(
        { key: "serial", store: s, isolationLevel: IsolationLevel.SERIALIZABLE, overwrite: true },
        async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setImmediate(r));
          inside--;
        },
      );
    await Promise.all([work(), work(), work()]);
    assert.equal(most, 1);
    assert.equal(await s.lockManager?.isLocked(s.storage.resolveKey("serial")), false);
  });
});
