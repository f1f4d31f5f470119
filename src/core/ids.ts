import { randomBytes, randomUUID } from "node:crypto";

/** A random (v4) UUID, for runs and flows. */
export const uuid4 = (): string => randomUUID();

let pool = Buffer.alloc(0);
let poolOffset = 0;
function random10(): Buffer {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(10 * 512);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A time-ordered (v7) UUID, as Prefect uses for state ids. */
export function uuid7(ms: number = Date.now()): string {
  const r = random10();
  const b = new Array<number>(16);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((r[0] ?? 0) & 0x0f);
  b[7] = r[1] ?? 0;
  b[8] = 0x80 | ((r[2] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = r[i - 6] ?? 0;
  const h = b.map((x) => HEX[x]);
  return `${h.slice(0, 4).join("")}-${h.slice(4, 6).join("")}-${h.slice(6, 8).join("")}-${h.slice(8, 10).join("")}-${h.slice(10).join("")}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);
