/**
 * Processes of this host, as runs and leases name them (`"<hostname>:<pid>"`): whether one is
 * still running.
 */
import { readFileSync } from "node:fs";

/** The pid in `"<host>:<pid>"` when the host is this one (and the pid a process id). */
export function localPid(hostAndPid: string | null, host: string): number | null {
  if (!hostAndPid) return null;
  const at = hostAndPid.lastIndexOf(":");
  if (at <= 0 || hostAndPid.slice(0, at) !== host) return null;
  const text = hostAndPid.slice(at + 1);
  if (!/^\d+$/.test(text)) return null;
  const pid = Number(text);
  // 0 and 1 are never a flow's process (and kill(0) would signal our own process group)
  return pid > 1 && Number.isSafeInteger(pid) ? pid : null;
}

/**
 * Whether a process with this pid is running (one of another user's counts; on Linux, one that has
 * exited but was not reaped by its parent — a zombie in the kernel's sense — does not).
 */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !exitedUnreaped(pid);
}

function exitedUnreaped(pid: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    // `pid (comm) state …`: the state follows the last ')' (comm may hold one)
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}
