import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isPrefectTsError } from "../../src/core/errors.ts";
import { SerializationError } from "../../src/results/errors.ts";
import { LocalFileSystem } from "../../src/results/local-file-storage.ts";
import { isResultRecordMetadata, parseRecord } from "../../src/results/result-record.ts";
import { ResultStore } from "../../src/results/result-store.ts";
import { resolveSerializer } from "../../src/results/serializers.ts";

const dir = mkdtempSync(join(tmpdir(), "prefect-ts-results-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const rich = {
  when: new Date("2024-06-01T12:00:00.000Z"),
  counts: new Map<string, number>([["a", 1]]),
  tags: new Set(["x", "y"]),
  big: 12345678901234567890n,
  bytes: new Uint8Array([1, 2, 255]),
  floats: new Float64Array([1.5, -0]),
  nothing: undefined,
  nan: Number.NaN,
  inf: Number.NEGATIVE_INFINITY,
  nested: [{ $t: "not a tag" }],
};

describe("serializers", () => {
  it("json round-trips plain data and is plain JSON a Python client can read", () => {
    const s = resolveSerializer("json");
    const text = s.dumps({ a: [1, "two", null, true] });
    assert.deepEqual(JSON.parse(text), { a: [1, "two", null, true] });
    assert.deepEqual(s.loads(text), { a: [1, "two", null, true] });
    assert.equal(s.toJSON().type, "json");
  });

  it("json refuses what it would lose, naming the value's type and where it is", () => {
    const s = resolveSerializer("json");
    assert.throws(
      () => s.dumps({ inner: { m: new Map() } }),
      (e: unknown) =>
        e instanceof SerializationError &&
        isPrefectTsError(e) &&
        e.code === "ERR_SERIALIZATION" &&
        /'Map' at inner\.m/.test(e.message),
    );
    assert.throws(() => s.dumps(10n), /'bigint'/);
    assert.throws(() => s.dumps(() => 1), /'function'/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => s.dumps(loop), /circular/);
  });

  it("rich-json round-trips Date, Map, Set, BigInt, typed arrays, undefined and NaN", () => {
    const s = resolveSerializer("rich-json");
    const back = s.loads(s.dumps(rich)) as typeof rich;
    assert.deepEqual(back, rich);
    assert.ok(back.when instanceof Date && back.counts instanceof Map && back.tags instanceof Set);
    assert.ok(back.bytes instanceof Uint8Array && back.floats instanceof Float64Array);
    assert.ok(Object.is(back.floats[1], -0));
  });

  it("compressed variants round-trip and shrink repetitive data", () => {
    for (const name of ["compressed/json", "compressed/rich-json"] as const) {
      const s = resolveSerializer(name);
      const value = { text: "abc".repeat(1000) };
      const text = s.dumps(value);
      assert.ok(text.length < 200, `${name} did not compress: ${text.length}`);
      assert.deepEqual(s.loads(text), value);
      assert.equal(s.toJSON().type, "compressed");
    }
    const rs = resolveSerializer("compressed/rich-json");
    assert.deepEqual(rs.loads(rs.dumps(rich)), rich);
  });

  it("an unknown serializer name is a clear error", () => {
    assert.throws(() => resolveSerializer("pickle"), /Unknown result serializer 'pickle'/);
  });
});

describe("result store on the local file system", () => {
  it("writes {metadata, result} atomically and reads it back in a fresh store", async () => {
    const storage = new LocalFileSystem(join(dir, "a"));
    const store = new ResultStore({ storage, serializer: "rich-json" });
    const record = store.createRecord(rich, "my-key", "2999-01-01T00:00:00.000Z");
    assert.equal(record.metadata.storage_key, join(dir, "a", "my-key"));
    assert.ok(isResultRecordMetadata(record.metadata));
    await store.write(record);
    assert.deepEqual(readdirSync(join(dir, "a")), ["my-key"]); // no temp file left behind
    const onDisk = JSON.parse(readFileSync(join(dir, "a", "my-key"), "utf8"));
    assert.deepEqual(Object.keys(onDisk).sort(), ["metadata", "result"]);
    assert.equal(typeof onDisk.result, "string");
    assert.deepEqual(Object.keys(onDisk.metadata).sort(), [
      "expiration",
      "prefect_version",
      "serializer",
      "storage_block_id",
      "storage_key",
    ]);
    const fresh = new ResultStore({ storage: new LocalFileSystem(join(dir, "a")) });
    const back = await fresh.readCommitted("my-key");
    assert.deepEqual(back?.result, rich);
  });

  it("an expired record is not committed; a missing one reads as null", async () => {
    const store = new ResultStore({ storage: new LocalFileSystem(join(dir, "b")) });
    await store.write(store.createRecord(1, "old", "2000-01-01T00:00:00.000Z"));
    assert.equal(await store.readCommitted("old"), null);
    assert.notEqual(await store.read("old"), null);
    assert.equal(await store.read("missing"), null);
  });

  it("a key escaping the storage folder is refused; a malformed record is a clear error", async () => {
    const storage = new LocalFileSystem(join(dir, "c"));
    assert.throws(() => storage.resolveKey("../outside"), /points outside/);
    await storage.write("bad", Buffer.from("not json"));
    const store = new ResultStore({ storage });
    await assert.rejects(() => store.read("bad"), /not valid JSON/);
    assert.throws(() => parseRecord(Buffer.from("{}"), "x"), /no metadata or result/);
  });
});
