/**
 * Where the events socket keeps frames it cannot send while the API is away, once they pass a
 * size bound in memory: one file per client under `$PREFECT_HOME/spool`, appended to, read back
 * when the API answers again, and removed once everything in it is confirmed.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { uuid4 } from "../core/ids.ts";

/** Where a run of frames lies in the spool file. */
export interface Spooled {
  offset: number;
  length: number;
}

export class FrameSpool {
  readonly #dir: string;
  #path: string | null = null;
  #fd: number | null = null;
  #size = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The spool file, while it exists. */
  get path(): string | null {
    return this.#path;
  }

  /** Append `frames` to the file (created on first use). */
  append(frames: Buffer): Spooled {
    if (this.#fd === null) {
      mkdirSync(this.#dir, { recursive: true });
      this.#path = join(this.#dir, `events-${process.pid}-${uuid4()}.frames`);
      this.#fd = openSync(this.#path, "w+", 0o600);
      this.#size = 0;
    }
    const offset = this.#size;
    let written = 0;
    while (written < frames.length) {
      written += writeSync(this.#fd, frames, written, frames.length - written, offset + written);
    }
    this.#size += frames.length;
    return { offset, length: frames.length };
  }

  /** Read back frames appended earlier. */
  read({ offset, length }: Spooled): Buffer {
    if (this.#fd === null) throw new Error("the spool file is gone");
    const out = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = readSync(this.#fd, out, read, length - read, offset + read);
      if (n === 0) throw new Error(`the spool file ${this.#path} is shorter than expected`);
      read += n;
    }
    return out;
  }

  /** Remove the file (nothing in it is needed any longer). */
  clear(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    if (this.#path !== null) rmSync(this.#path, { force: true });
    this.#fd = null;
    this.#path = null;
    this.#size = 0;
  }
}
