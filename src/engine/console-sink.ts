/**
 * Console output of the engine, Prefect-style (`12:00:01.123 | INFO    | Flow run 'x' - message`).
 * Lines are buffered and written once per turn of the event loop, and synchronously at exit, so
 * that a thousand task-run lines cost one write instead of a thousand.
 */
import { writeSync } from "node:fs";
import { levelName } from "./log-levels.ts";

let buffer: string[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  if (buffer.length === 0) return;
  const text = buffer.join("");
  buffer = [];
  try {
    writeSync(process.stderr.fd, text);
  } catch {
    // the console went away (closed pipe): nothing to report to
  }
}

process.on("exit", drain);

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

let clockSecond = -1;
let clockPrefix = "";

/** HH:MM:SS.mmm in local time, as Prefect's console formatter (the HH:MM:SS part cached per second). */
function clock(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    const d = new Date(now);
    clockPrefix = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }
  const ms = now - second * 1000;
  return `${clockPrefix}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

/** Queue one console line. */
export function writeConsoleLine(level: number, prefix: string, message: string): void {
  buffer.push(`${clock()} | ${levelName(level).padEnd(7)} | ${prefix}${message}\n`);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

/** Write everything queued now. */
export function flushConsole(): void {
  drain();
}
