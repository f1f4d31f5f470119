import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson, hashObjects, UnhashableInputError } from "../../src/caching/hash-inputs.ts";
import {
  type CacheKeyContext,
  DEFAULT,
  FLOW_PARAMETERS,
  INPUTS,
  NO_CACHE,
  RUN_ID,
  TASK_SOURCE,
} from "../../src/caching/policies.ts";
import { IsolationLevel } from "../../src/transactions/isolation.ts";
import { MemoryLockManager } from "../../src/transactions/lock-managers/memory-lock-manager.ts";

const fn = (x: number) => x + 1;
const ctx = (over: Partial<CacheKeyContext> = {}): CacheKeyContext => ({
  taskName: "t",
  taskKey: "t-1",
  taskRunId: "task-run-1",
  flowRunId: "flow-run-1",
  fn,
  ...over,
});

describe("input hashing", () => {
  it("is stable across key order, Map/Set insertion order, and distinguishes types", () => {
    assert.equal(hashObjects({ a: 1, b: 2 }), hashObjects({ b: 2, a: 1 }));
    assert.equal(
      hashObjects(
        new Map([
          ["x", 1],
          ["y", 2],
        ]),
      ),
      hashObjects(
        new Map([
          ["y", 2],
          ["x", 1],
        ]),
      ),
    );
    assert.equal(hashObjects(new Set([1, 2])), hashObjects(new Set([2, 1])));
    assert.notEqual(hashObjects("1"), hashObjects(1));
    assert.notEqual(hashObjects(new Date(0)), hashObjects(new Date(1)));
    assert.notEqual(hashObjects(1n), hashObjects(1));
    assert.equal(
      canonicalJson({ b: [1, { d: 1, c: 2 }], a: null }),
      '{"a":null,"b":[1,{"c":2,"d":1}]}',
    );
    assert.match(hashObjects({}), /^[0-9a-f]{32}$/);
  });

  it("refuses functions, class instances without toJSON and cycles, naming the input", () => {
    class Client {
      socket = 1;
    }
    assert.throws(
      () => hashObjects({ client: new Client() }),
      (e: unknown) =>
        e instanceof UnhashableInputError && /'client' of type 'Client'/.test(e.message),
    );
    assert.throws(() => hashObjects({ cb: () => 1 }), UnhashableInputError);
    const loop: unknown[] = [];
    loop.push(loop);
    assert.throws(() => hashObjects(loop), /circular/);
    assert.doesNotThrow(() => hashObjects({ url: new URL("https://example.com") })); // has toJSON
  });
});

describe("cache policies", () => {
  it("INPUTS keys on inputs, minus() ignores one", () => {
    const a = INPUTS.computeKey(ctx(), { x: 1, token: "a" }, {});
    const b = INPUTS.computeKey(ctx(), { x: 1, token: "b" }, {});
    assert.notEqual(a, b);
    const noToken = INPUTS.minus("token");
    assert.equal(
      noToken.computeKey(ctx(), { x: 1, token: "a" }, {}),
      noToken.computeKey(ctx(), { x: 1, token: "b" }, {}),
    );
    assert.equal(INPUTS.computeKey(ctx(), {}, {}), null);
  });

  it("TASK_SOURCE changes with the function's source, RUN_ID with the flow run", () => {
    const other = (x: number) => x + 2;
    assert.notEqual(
      TASK_SOURCE.computeKey(ctx(), {}, {}),
      TASK_SOURCE.computeKey(ctx({ fn: other }), {}, {}),
    );
    assert.equal(RUN_ID.computeKey(ctx(), {}, {}), "flow-run-1");
    assert.equal(RUN_ID.computeKey(ctx({ flowRunId: null }), {}, {}), "task-run-1");
  });

  it("FLOW_PARAMETERS keys on the flow run's parameters; NO_CACHE never caches", () => {
    assert.notEqual(
      FLOW_PARAMETERS.computeKey(ctx(), {}, { d: 1 }),
      FLOW_PARAMETERS.computeKey(ctx(), {}, { d: 2 }),
    );
    assert.equal(NO_CACHE.computeKey(ctx(), {}, {}), null);
    assert.equal(NO_CACHE.plus(INPUTS), INPUTS);
    assert.equal(INPUTS.plus(NO_CACHE), INPUTS);
  });

  it("DEFAULT is inputs + task source + run id; plus() combines, minus() reaches into compounds", () => {
    const k = DEFAULT.computeKey(ctx(), { x: 1 }, {});
    assert.equal(k, INPUTS.plus(TASK_SOURCE).plus(RUN_ID).computeKey(ctx(), { x: 1 }, {}));
    assert.notEqual(k, DEFAULT.computeKey(ctx({ flowRunId: "flow-run-2" }), { x: 1 }, {}));
    const m = DEFAULT.minus("x");
    assert.equal(m.computeKey(ctx(), { x: 1, y: 2 }, {}), m.computeKey(ctx(), { x: 9, y: 2 }, {}));
    assert.notEqual(
      m.computeKey(ctx(), { x: 1, y: 2 }, {}),
      m.computeKey(ctx(), { x: 1, y: 3 }, {}),
    );
  });

  it("configure() carries isolation level, lock manager and key storage through combination", () => {
    const lm = new MemoryLockManager();
    const p = INPUTS.configure({
      isolationLevel: IsolationLevel.SERIALIZABLE,
      lockManager: lm,
      keyStorage: "/tmp/keys",
    });
    assert.equal(p.settings.isolationLevel, "SERIALIZABLE");
    assert.equal(p.plus(TASK_SOURCE).settings.lockManager, lm);
    assert.equal(p.minus("x").settings.keyStorage, "/tmp/keys");
    assert.equal(INPUTS.settings.isolationLevel, null);
  });
});
