/** Results as files under a base directory (`PREFECT_LOCAL_STORAGE_PATH`, `$PREFECT_HOME/storage`). */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ResultStorageError } from "./errors.ts";
import type { ResultStorage } from "./storage.ts";

export class LocalFileSystem implements ResultStorage {
  readonly kind = "local-file-system";
  readonly blockId: string | null;
  readonly basepath: string;
  readonly #made = new Set<string>();

  constructor(basepath: string, blockId: string | null = null) {
    this.basepath = resolve(basepath);
    this.blockId = blockId;
  }

  resolveKey(key: string): string {
    if (isAbsolute(key)) return key;
    const full = resolve(this.basepath, key);
    if (
      full !== this.basepath &&
      !full.startsWith(`${this.basepath}/`) &&
      !full.startsWith(`${this.basepath}\\`)
    )
      throw new ResultStorageError(`Result storage key '${key}' points outside ${this.basepath}`);
    return full;
  }

  /**
   * Synchronous file IO, as Prefect's local storage does: records are small, and one blocking
   * write or read costs far less than the thread-pool round trips of the async calls.
   */
  write(key: string, data: Buffer): Promise<void> {
    const path = this.resolveKey(key);
    const dir = dirname(path);
    try {
      if (!this.#made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.#made.add(dir);
      }
      // a temporary file beside the target, then rename: readers never see a partial record
      const tmp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
      writeFileSync(tmp, data);
      try {
        renameSync(tmp, path);
      } catch (error) {
        rmSync(tmp, { force: true });
        throw error;
      }
      return Promise.resolve();
    } catch (error) {
      this.#made.delete(dir);
      return Promise.reject(
        new ResultStorageError(`Could not write result file ${path}: ${String(error)}`, {
          cause: error,
        }),
      );
    }
  }

  read(key: string): Promise<Buffer | null> {
    const path = this.resolveKey(key);
    try {
      return Promise.resolve(readFileSync(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Promise.resolve(null);
      return Promise.reject(
        new ResultStorageError(`Could not read result file ${path}: ${String(error)}`, {
          cause: error,
        }),
      );
    }
  }

  exists(key: string): Promise<boolean> {
    return Promise.resolve(existsSync(this.resolveKey(key)));
  }

  async delete(key: string): Promise<void> {
    await rm(this.resolveKey(key), { force: true });
  }
}
