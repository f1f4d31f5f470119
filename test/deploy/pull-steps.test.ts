/**
 * `runPullSteps` and the steps it runs, for real: `set_working_directory`, `run_shell_script`
 * (real commands, a shell for pipes, outputs templated into later steps, the environment), and
 * `git_clone` of a real local repository over file:// (a branch; a second run brings the clone up
 * to date); what is not supported, or fails, is an error naming the step. This process's own
 * working directory is never changed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { runPullSteps } from "../../src/deploy/pull-steps.ts";
import { applyValues, NOT_SET, resolveVariables } from "../../src/deploy/templating.ts";

const SET = "prefect.deployments.steps.set_working_directory";
const SHELL = "prefect.deployments.steps.run_shell_script";
const CLONE = "prefect.deployments.steps.git_clone";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@e",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@e",
    },
  }).toString();

describe("pull steps", () => {
  let dir: string;
  let repo: string;
  const quiet = { out: () => undefined, err: () => undefined };

  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "prefect-ts-pull-")));
    mkdirSync(join(dir, "work", "sub"), { recursive: true });
    repo = join(dir, "origin-repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet", "--initial-branch", "main");
    writeFileSync(join(repo, "flow.txt"), "v1\n");
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "one");
    git(repo, "checkout", "--quiet", "-b", "feature/x");
    writeFileSync(join(repo, "flow.txt"), "feature\n");
    git(repo, "commit", "--quiet", "-am", "feature");
    git(repo, "checkout", "--quiet", "main");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("no steps: the directory is where they start", async () => {
    const here = process.cwd();
    assert.deepEqual(await runPullSteps(null, { cwd: dir }), { directory: dir, outputs: {} });
    assert.deepEqual(await runPullSteps([], { cwd: dir }), { directory: dir, outputs: {} });
    assert.equal(process.cwd(), here);
  });

  it("set_working_directory (relative or absolute) sets where the next steps run and the result", async () => {
    const here = process.cwd();
    const logged: string[] = [];
    const result = await runPullSteps(
      [
        { [SET]: { directory: "work" } },
        { [SHELL]: { id: "where", script: "pwd", stream_output: false } },
        { [SET]: { directory: "sub" } },
      ],
      { cwd: dir, log: (l) => logged.push(l), ...quiet },
    );
    assert.equal(result.directory, join(dir, "work", "sub"));
    assert.equal((result.outputs.where as { stdout: string }).stdout, join(dir, "work"));
    assert.deepEqual(logged, [
      " > Running set_working_directory step...",
      " > Running run_shell_script step...",
      " > Running set_working_directory step...",
    ]);
    assert.equal(process.cwd(), here);
    await assert.rejects(
      runPullSteps([{ [SET]: { directory: "nowhere" } }], { cwd: dir }),
      /^StepError: pull step 1 \(set_working_directory\) failed: set_working_directory: no such directory: .*nowhere$/,
    );
  });

  it("run_shell_script: commands, a shell for pipes, env, outputs into later steps, failures", async () => {
    const streamed: string[] = [];
    const result = await runPullSteps(
      [
        {
          [SHELL]: {
            id: "first",
            script: 'echo "hello  world"\necho $GREETING\n\necho one two | tr a-z A-Z',
            env: { GREETING: "hi" },
            stream_output: true,
          },
        },
        { [SHELL]: { id: "upper", script: "echo one two | tr a-z A-Z", stream_output: false } },
        {
          "prefect.deployments.steps.utility.run_shell_script": {
            id: "second",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${NAME}, not a template
            script: "echo {{ upper.stdout }}-{{ $PULL_TEST_VAR }}\necho $GREETING ${GREETING}",
            env: { GREETING: "yo" },
            expand_env_vars: true,
            stream_output: false,
          },
        },
      ],
      {
        cwd: dir,
        env: { ...process.env, PULL_TEST_VAR: "env-value" },
        out: (t) => streamed.push(t),
        err: () => undefined,
      },
    );
    // without expand_env_vars, `$GREETING` is a word, not a variable (no shell on that line)
    assert.equal(
      (result.outputs.first as { stdout: string }).stdout,
      "hello  world\n$GREETING\nONE TWO",
    );
    assert.equal(streamed.join(""), "hello  world\n$GREETING\nONE TWO\n");
    assert.equal((result.outputs.second as { stdout: string }).stdout, "ONE TWO-env-value\nyo yo");
    assert.equal(result.outputs.stdout, (result.outputs.second as { stdout: string }).stdout);

    await assert.rejects(
      runPullSteps([{ [SHELL]: { script: "sh -c 'echo broken >&2; exit 3'" } }], {
        cwd: dir,
        ...quiet,
      }),
      /pull step 1 \(run_shell_script\) failed: run_shell_script failed with error code 3: broken$/,
    );
    await assert.rejects(
      runPullSteps([{ [SHELL]: { script: "no-such-command-here x" } }], { cwd: dir, ...quiet }),
      /run_shell_script could not run 'no-such-command-here' in .*: command not found$/,
    );
    await assert.rejects(
      runPullSteps([{ [SHELL]: { script: "echo", shell: "bash" } }], { cwd: dir }),
      /run_shell_script: unknown input 'shell'/,
    );
  });

  it("git_clone clones a local repository (a branch too) into the working directory, and updates it", async () => {
    const work = join(dir, "clones");
    mkdirSync(work);
    const url = pathToFileURL(repo).href;
    const first = await runPullSteps([{ [CLONE]: { id: "clone", repository: url } }], {
      cwd: work,
    });
    assert.equal(first.directory, join(work, "origin-repo"));
    assert.deepEqual(first.outputs.clone, { directory: "origin-repo" });
    assert.equal(readFileSync(join(first.directory, "flow.txt"), "utf8"), "v1\n");

    const branch = await runPullSteps([{ [CLONE]: { repository: url, branch: "feature/x" } }], {
      cwd: work,
    });
    assert.equal(branch.directory, join(work, "origin-repo-feature-x"));
    assert.equal(readFileSync(join(branch.directory, "flow.txt"), "utf8"), "feature\n");

    // a new commit upstream; the next run's clone has it
    writeFileSync(join(repo, "flow.txt"), "v2\n");
    git(repo, "commit", "--quiet", "-am", "two");
    const again = await runPullSteps(
      [{ [CLONE]: { repository: url, clone_directory_name: "origin-repo" } }],
      { cwd: work },
    );
    assert.equal(readFileSync(join(again.directory, "flow.txt"), "utf8"), "v2\n");

    await assert.rejects(
      runPullSteps([{ [CLONE]: { repository: pathToFileURL(join(dir, "no-repo")).href } }], {
        cwd: work,
      }),
      /pull step 1 \(git_clone\) failed: git_clone: git clone of file:.*no-repo failed \(exit code 128\)/,
    );
  });

  it("refuses what prefect-ts does not run, naming the step and the way out", async () => {
    await assert.rejects(
      runPullSteps([
        { "prefect.deployments.steps.pip_install_requirements": { requirements_file: "r.txt" } },
      ]),
      /pip_install_requirements is not supported in prefect-ts; use prefect\.deployments\.steps\.run_shell_script with `npm ci`/,
    );
    await assert.rejects(
      runPullSteps([{ "prefect_aws.deployments.steps.pull_from_s3": { bucket: "b" } }]),
      /Step 'prefect_aws\.deployments\.steps\.pull_from_s3' is not supported in prefect-ts/,
    );
    await assert.rejects(
      runPullSteps([{ [SET]: { directory: "." }, [SHELL]: { script: "true" } }]),
      /a step has exactly one step name/,
    );
    await assert.rejects(
      runPullSteps([
        {
          [CLONE]: {
            repository: "https://example.com/r.git",
            credentials: "{{ prefect.blocks.github-credentials.c }}",
          },
        },
      ]),
      /block references are not supported in prefect-ts yet \(\{\{ prefect\.blocks\.github-credentials\.c \}\}\)/,
    );
    await assert.rejects(
      runPullSteps([{ [SET]: { directory: "{{ prefect.variables.where }}" } }], { cwd: dir }),
      /\{\{ prefect\.variables\.where \}\}: Prefect variables cannot be read here/,
    );
    const read = await runPullSteps([{ [SET]: { directory: "{{ prefect.variables.where }}" } }], {
      cwd: dir,
      readVariable: async (name) => (name === "where" ? "work" : null),
    });
    assert.equal(read.directory, join(dir, "work"));
  });
});

describe("templating", () => {
  it("fills placeholders as Prefect's apply_values: whole values, text, missing ones dropped", () => {
    const values = { build: { tag: "1.2", list: [{ a: 7 }] }, n: 3 };
    const env = { HOME_X: "/h" };
    assert.equal(applyValues("{{ build.tag }}", values, { env }), "1.2");
    assert.deepEqual(applyValues("{{ build }}", values, { env }), values.build);
    assert.equal(applyValues("{{ build.list[0].a }}", values, { env }), 7);
    assert.equal(applyValues("v{{ n }}-{{ $HOME_X }}", values, { env }), "v3-/h");
    assert.equal(applyValues("{{ missing }}", values, { env }), NOT_SET);
    assert.deepEqual(
      applyValues({ a: "{{ missing }}", b: ["{{ missing }}", 1] }, values, { env }),
      { b: [1] },
    );
    assert.equal(applyValues("x{{ $NOPE }}y", values, { env }), "xy");
    assert.deepEqual(
      applyValues({ a: "{{ missing }}", e: "{{ $NOPE }}" }, {}, { env, removeNotSet: false }),
      {
        a: "{{ missing }}",
        e: "{{ $NOPE }}",
      },
    );
  });

  it("fills variables: a whole value keeps its type, a missing one is empty", async () => {
    const read = async (name: string) =>
      (({ n: 5, obj: { k: [1] } }) as Record<string, unknown>)[name] ?? null;
    assert.equal(await resolveVariables("{{ prefect.variables.n }}", read), 5);
    assert.deepEqual(await resolveVariables(["{{ prefect.variables.obj }}"], read), [{ k: [1] }]);
    assert.equal(
      await resolveVariables("n={{ prefect.variables.n }}, o={{ prefect.variables.obj }}", read),
      'n=5, o={"k":[1]}',
    );
    assert.equal(await resolveVariables("{{ prefect.variables.none }}", read), "");
  });
});
