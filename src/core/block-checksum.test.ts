import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { blockSchemaChecksum, pythonJsonDumps } from "./block-checksum.ts";
import { systemBlock } from "./system-blocks.ts";

const TRANSCRIPT = join(
  import.meta.dirname,
  "../../../shared/prefect-wire-transcripts/more/variables-blocks-artifacts.jsonl",
);
// biome-ignore lint/suspicious/noExplicitAny: records are read field by field
const records: any[] = readFileSync(TRANSCRIPT, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

describe("block schema checksums, as Prefect computes them", () => {
  it("gives the checksum Prefect 3.8.4 gave the Secret schema, and our secret schema is that one", () => {
    const captured = records.find((r) =>
      r.url?.startsWith("/api/block_schemas/checksum/sha256:c07"),
    ).res;
    assert.equal(blockSchemaChecksum(captured.fields), captured.checksum);
    assert.equal(blockSchemaChecksum(systemBlock("secret")?.fields ?? {}), captured.checksum);
  });

  it("gives the checksum Prefect's server gave a client's JSON schema", () => {
    const created = records.find((r) => r.method === "POST" && r.url === "/api/block_schemas/");
    assert.equal(blockSchemaChecksum(created.req.fields), created.res.checksum);
  });

  it("hashes what Python's json.dumps(sort_keys=True) writes (values checked against CPython)", () => {
    const fields = {
      title: "Café ☕ 𝄞",
      properties: {
        n: { default: 0.5, maximum: 1e-7, x: 1e16, y: true, z: null, s: 'a"b\\c\n\u007f' },
      },
      secret_fields: ["n"],
      nested: { secret_fields: [1] },
      list: [{ secret_fields: [2] }],
    };
    assert.equal(pythonJsonDumps({ b: 1e-7, a: "é" }), '{"a": "\\u00e9", "b": 1e-07}');
    assert.equal(
      blockSchemaChecksum(fields),
      "sha256:8390024b3a37ecfff9e7ff4d588ffd8d303cd08d524e0c5c82def2d93d4f8254",
    );
  });

  it("leaves out definitions of nested blocks, keeps the others", () => {
    const base = {
      title: "P",
      properties: { child: { $ref: "#/definitions/Child" }, opts: { $ref: "#/definitions/Opts" } },
    };
    const child = { title: "Child", block_type_slug: "child", properties: {} };
    const opts = { title: "Opts", properties: {} };
    assert.equal(
      blockSchemaChecksum({ ...base, definitions: { Child: child, Opts: opts } }),
      blockSchemaChecksum({ ...base, definitions: { Opts: opts } }),
    );
    assert.equal(
      blockSchemaChecksum({ ...base, definitions: { Child: child } }),
      blockSchemaChecksum(base),
    );
  });
});
