import { randomBytes, randomUUID } from "node:crypto";

/** A random (v4) UUID, for runs and flows. */
export const uuid4 = (): string => randomUUID();

let pool = Buffer.alloc(0);
let poolOffset = 0;
/** Offset of 10 fresh random bytes in `pool` (refilled in bulk: no allocation per id). */
function random10(): number {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(10 * 512);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 10;
  return at;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

let prefixMs = -1;
let prefix = "";

/** A time-ordered (v7) UUID, as Prefect uses for state and task-run ids. */
export function uuid7(ms: number = Date.now()): string {
  if (ms !== prefixMs) {
    // the 48-bit timestamp part, formatted once per millisecond
    const hi = Math.floor(ms / 2 ** 16);
    const lo = ms % 2 ** 16;
    const ts = hi.toString(16).padStart(8, "0") + HEX[(lo >>> 8) & 0xff] + HEX[lo & 0xff];
    prefix = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-`;
    prefixMs = ms;
  }
  const o = random10();
  const r = pool;
  return (
    prefix +
    `${HEX[0x70 | ((r[o + 0] ?? 0) & 0x0f)]}${HEX[r[o + 1] ?? 0]}-` +
    `${HEX[0x80 | ((r[o + 2] ?? 0) & 0x3f)]}${HEX[r[o + 3] ?? 0]}-` +
    `${HEX[r[o + 4] ?? 0]}${HEX[r[o + 5] ?? 0]}${HEX[r[o + 6] ?? 0]}${HEX[r[o + 7] ?? 0]}${HEX[r[o + 8] ?? 0]}${HEX[r[o + 9] ?? 0]}`
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);
