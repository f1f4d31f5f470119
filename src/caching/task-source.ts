/** The source of a task's function, hashed (Prefect's `TaskSource` cache policy hashes the source lines). */
import { createHash } from "node:crypto";

const hashes = new WeakMap<object, string>();

export function taskSourceHash(fn: (...args: never[]) => unknown): string {
  let h = hashes.get(fn);
  if (!h) {
    h = createHash("md5").update(Function.prototype.toString.call(fn)).digest("hex");
    hashes.set(fn, h);
  }
  return h;
}
