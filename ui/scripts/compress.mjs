// After `vite build`: a gzip and a brotli copy of each asset, which the server sends to browsers
// that accept them (@fastify/static `preCompressed`), so no request compresses on the fly.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const assets = join(import.meta.dirname, "..", "dist", "assets");
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const path = join(assets, name);
  const data = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
