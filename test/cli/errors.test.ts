import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "./helpers.ts";

/** Settings and connection failures: one line on stderr, exit 1, no stack trace. */
describe("prefect-ts errors", () => {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-cli-"));
  after(() => rmSync(home, { recursive: true, force: true }));

  const assertOneLine = (stderr: string): void => {
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.doesNotMatch(stderr, /^\s+at /m);
  };

  it("reports an unreachable PostgreSQL database", async () => {
    const url = "postgresql://postgres@127.0.0.1:1/prefect";
    const res = await runCli(["flow-run", "ls"], {
      PREFECT_HOME: home,
      PREFECT_API_DATABASE_CONNECTION_URL: url,
    });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "");
    assert.match(
      res.stderr,
      /^Cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/prefect/,
    );
    assert.match(res.stderr, /PREFECT_API_DATABASE_CONNECTION_URL/);
    assertOneLine(res.stderr);
  });

  it("reports an invalid PREFECT_API_URL", async () => {
    const res = await runCli(["flow", "ls"], { PREFECT_HOME: home, PREFECT_API_URL: "not a url" });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^Invalid settings: PREFECT_API_URL: must be a URL/);
    assertOneLine(res.stderr);
  });

  it("reports an unsupported database URL", async () => {
    const url = "mysql://root@localhost/prefect";
    const res = await runCli(["flow", "ls"], {
      PREFECT_HOME: home,
      PREFECT_API_DATABASE_CONNECTION_URL: url,
    });
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /^Unsupported database URL 'mysql:\/\/root@localhost\/prefect': use a SQLite file path or postgresql:/,
    );
    assertOneLine(res.stderr);
  });

  it("reports a bad option value and an unknown command on one line", async () => {
    const [limit, unknown, output] = await Promise.all([
      runCli(["flow-run", "ls", "--limit", "zero"], { PREFECT_HOME: home }),
      runCli(["flow-runz", "ls"], { PREFECT_HOME: home }),
      runCli(["flow-run", "ls", "-o", "yaml"], { PREFECT_HOME: home }),
    ]);
    assert.equal(limit.code, 1);
    assert.match(limit.stderr, /--limit <n>' argument 'zero' is invalid/);
    assertOneLine(limit.stderr);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown command 'flow-runz'/);
    assertOneLine(unknown.stderr);
    assert.equal(output.code, 1);
    assert.equal(output.stderr, "Only 'json' output format is supported.\n");
  });
});
