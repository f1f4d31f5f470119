import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bindParameters, formatRunName, parameterNames } from "./parameters.ts";

describe("parameters", () => {
  it("reads parameter names from arrow functions and function declarations", () => {
    assert.deepEqual(
      parameterNames(async (a: number, b = 2) => a + b),
      ["a", "b"],
    );
    assert.deepEqual(
      parameterNames((x: string) => x),
      ["x"],
    );
    function named(url: string, retries = 3, ...rest: number[]) {
      return [url, retries, rest];
    }
    assert.deepEqual(parameterNames(named), ["url", "retries", "rest"]);
  });
  it("treats one destructured object argument as the parameters", () => {
    const names = parameterNames(async ({ urls }: { urls: string[] }) => urls);
    assert.deepEqual(bindParameters(names, [{ urls: ["a"] }]), { urls: ["a"] });
  });
  it("binds positional arguments by name", () => {
    assert.deepEqual(bindParameters(["a", "b"], [1, 2]), { a: 1, b: 2 });
  });
  it("formats run-name templates from parameters", () => {
    assert.equal(formatRunName("fetch-{url}-{n}", { url: "x", n: 3 }), "fetch-x-3");
    assert.equal(formatRunName("{missing}", {}), "{missing}");
  });
});
