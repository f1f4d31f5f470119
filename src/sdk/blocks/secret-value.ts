/**
 * A secret held by a block field (`Secret.field()`): read with `.get()`; written as `********`
 * wherever it would otherwise show — `String(value)`, `JSON.stringify`, `console.log` and
 * `util.inspect`, template strings, error messages built from it — so it does not reach logs.
 */
import { OBFUSCATED } from "../../core/blocks.ts";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class SecretValue<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The secret itself. */
  get(): T {
    return this.#value;
  }

  toString(): string {
    return OBFUSCATED;
  }

  toJSON(): string {
    return OBFUSCATED;
  }

  [Symbol.toPrimitive](): string {
    return OBFUSCATED;
  }

  [INSPECT](): string {
    return `SecretValue('${OBFUSCATED}')`;
  }
}
