/**
 * A process run by `tsx` is tsx's child: `kill -9` of the tsx process a user started leaves this
 * one running, with its flow runs and concurrency slots, and nothing ever ends it. Such a process
 * follows its runner: once the runner is gone (this process has a new parent), it stops as if
 * told to (SIGTERM) — its runs end `Crashed`, its slots are freed with its connection.
 */

/** How often the parent is looked at. */
const POLL_MS = 500;
let following = false;

/** Whether this process runs under the tsx command (its preflight and loader in `execArgv`). */
function runByTsx(): boolean {
  return process.execArgv.some((arg) => /[\\/]tsx[\\/]dist[\\/]/.test(arg));
}

/** Stop this process when the tsx process that runs it is gone (once per process). */
export function followRunner(): void {
  if (following) return;
  following = true;
  if (!runByTsx()) return;
  const runner = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === runner) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, POLL_MS);
  timer.unref();
}
