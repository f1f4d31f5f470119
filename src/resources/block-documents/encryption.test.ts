import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fernetDecrypt, fernetEncrypt, generateFernetKey } from "./encryption.ts";

/** A key and a token made by Python's `cryptography` (`Fernet(key).encrypt(b'{"a": 1}')`). */
const PYTHON_KEY = "ZP6B3iHIMYjZm4HU908C4kik2AbKq3bBLjJBJw6tWV0=";
const PYTHON_TOKEN =
  "gAAAAABrFux-xvNi_SMMcRDzuqe6DBg6f37ogp9II_vuWASU-m1UfKp1XMB818r36GcLYosoeA5FL5CfyJ3xlchT-Dim1YYC9Q==";

describe("Fernet, as Prefect encrypts block data", () => {
  it("reads a token Python's cryptography made", () => {
    assert.equal(fernetDecrypt(PYTHON_KEY, PYTHON_TOKEN), '{"a": 1}');
  });
  it("round-trips, with padding as Python writes it, and refuses another key", () => {
    const key = generateFernetKey();
    assert.equal(key.length, 44);
    const token = fernetEncrypt(key, '{"value": "s3cr3t"}');
    assert.equal(token.length % 4, 0);
    assert.ok(token.startsWith("gAAAAA"));
    assert.ok(!token.includes("s3cr3t"));
    assert.equal(fernetDecrypt(key, token), '{"value": "s3cr3t"}');
    assert.throws(() => fernetDecrypt(generateFernetKey(), token), /could not be decrypted/);
    assert.throws(() => fernetEncrypt("short", "x"), /Fernet key/);
  });
});
