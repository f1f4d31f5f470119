/**
 * The command table of `src/cli/main.ts`: its names are what the registrars declare, and a command
 * line naming a command registers that command alone — with its help and its subcommands — while
 * one naming none gets every command (full help, suggestions for a mistyped name).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildProgram, COMMANDS, runCli } from "../../src/cli/main.ts";
import type { CliIo } from "../../src/cli/support.ts";

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) };
}

const topLevel = (argv?: readonly string[]) =>
  buildProgram(capture(), argv).commands.map((c) => [c.name(), ...c.aliases()]);

describe("prefect-ts command table", () => {
  it("names each command and alias as its registrar declares them, in --help's order", () => {
    assert.deepEqual(
      topLevel(),
      COMMANDS.map(([names]) => [...names]),
    );
  });

  it("registers only the command a command line names, by its name or an alias", () => {
    assert.deepEqual(topLevel(["deployment", "ls"]), [["deployment", "deployments"]]);
    assert.deepEqual(topLevel(["gcl", "ls"]), [["global-concurrency-limit", "gcl"]]);
    assert.equal(topLevel(["--help"]).length, COMMANDS.length);
    assert.equal(topLevel(["help", "flow"]).length, COMMANDS.length);
    assert.equal(topLevel(["deplyment"]).length, COMMANDS.length);
  });

  it("shows a named command's help, and suggests the command a mistyped name meant", async () => {
    const help = capture();
    assert.equal(await runCli(["work-pool", "--help"], help), 0);
    assert.match(help.out_.join("\n"), /Usage: prefect-ts work-pool/);
    assert.match(help.out_.join("\n"), /create/);
    const typo = capture();
    assert.equal(await runCli(["deplyment", "ls"], typo), 1);
    assert.match(typo.err_.join("\n"), /Did you mean deployment\?/);
  });
});
