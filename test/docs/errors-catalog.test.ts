import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/core/errors.ts";

describe("error catalog", () => {
  it("documents exactly the codes that exist", () => {
    const doc = readFileSync("docs/reference/errors.md", "utf8");
    const documented = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...documented].sort(), Object.values(ErrorCode).sort());
  });
});
