/**
 * Leases in Redis (`PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=prefect_redis.lease_storage`, as
 * Prefect's Redis lease storage): for several API servers over one database. Each change is one
 * Lua script, so a lease and its indexes never come apart:
 *
 * Keys (`<ns>`: `prefect-ts:concurrency:<digest of the database's location>:`):
 *
 * - `<ns>lease:<id>`: the lease (JSON);
 * - `<ns>expirations`: lease ids by expiration (ms);
 * - `<ns>limit:<limit id>`: the leases holding slots of a limit;
 * - `<ns>holder:<holder id>`, `<ns>bound`: leases bound to a holder connection (the latter by
 *   creation time), `<ns>attached:<holder id>`: a holder's attachment, expiring by itself;
 * - `<ns>process:<host>`: leases bound to processes of a host.
 *
 * ioredis is loaded on first use: a server keeping leases in the database never loads it.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { ConcurrencyLease } from "../../core/concurrency.ts";
import { isoToMicros } from "../../core/time.ts";
import type { Settings } from "../../settings/settings.ts";
import type { LeaseStorage } from "./lease-storage.ts";

/** Keys of the leases of one database: servers over the same database share them. */
export function leaseNamespace(databaseLocation: string): string {
  const digest = createHash("sha1").update(databaseLocation).digest("hex").slice(0, 12);
  return `prefect-ts:concurrency:${digest}:`;
}

const ms = (iso: string): number => Number(isoToMicros(iso) / 1000n);

const hostOf = (hostAndPid: string): string => hostAndPid.slice(0, hostAndPid.lastIndexOf(":"));

// KEYS: none (computed from the namespace, ARGV[1]); ARGV: ns, lease JSON
const CREATE = `
local ns = ARGV[1]
local lease = cjson.decode(ARGV[2])
redis.call("SET", ns .. "lease:" .. lease.id, ARGV[2])
redis.call("ZADD", ns .. "expirations", tonumber(ARGV[3]), lease.id)
for _, limit in ipairs(lease.resource_ids) do redis.call("SADD", ns .. "limit:" .. limit, lease.id) end
if type(lease.holder_id) == "string" then
  redis.call("SADD", ns .. "holder:" .. lease.holder_id, lease.id)
  redis.call("ZADD", ns .. "bound", tonumber(ARGV[4]), lease.id)
end
if type(lease.holder_process) == "string" then redis.call("SADD", ns .. "process:" .. ARGV[5], lease.id) end
return 1`;

// ARGV: ns, id, expiredBy ms or "" → the lease JSON removed, or false
const TAKE = `
local ns = ARGV[1]
local text = redis.call("GET", ns .. "lease:" .. ARGV[2])
if not text then return false end
if ARGV[3] ~= "" then
  local score = redis.call("ZSCORE", ns .. "expirations", ARGV[2])
  if score and tonumber(score) > tonumber(ARGV[3]) then return false end
end
local lease = cjson.decode(text)
redis.call("DEL", ns .. "lease:" .. lease.id)
redis.call("ZREM", ns .. "expirations", lease.id)
for _, limit in ipairs(lease.resource_ids) do redis.call("SREM", ns .. "limit:" .. limit, lease.id) end
if type(lease.holder_id) == "string" then
  redis.call("SREM", ns .. "holder:" .. lease.holder_id, lease.id)
  redis.call("ZREM", ns .. "bound", lease.id)
end
if type(lease.holder_process) == "string" then
  local p = lease.holder_process
  local at = string.find(p, ":[^:]*$")
  redis.call("SREM", ns .. "process:" .. string.sub(p, 1, at - 1), lease.id)
end
return text`;

// ARGV: ns, id, expiration ISO, expiration ms → 1 when renewed
const RENEW = `
local ns = ARGV[1]
local text = redis.call("GET", ns .. "lease:" .. ARGV[2])
if not text then return 0 end
local lease = cjson.decode(text)
lease.expiration = ARGV[3]
redis.call("SET", ns .. "lease:" .. ARGV[2], cjson.encode(lease))
redis.call("ZADD", ns .. "expirations", tonumber(ARGV[4]), ARGV[2])
return 1`;

/** Lease JSON as stored (Lua's cjson writes an empty list as `{}`: read both). */
function parse(text: string): ConcurrencyLease {
  const raw = JSON.parse(text) as ConcurrencyLease & { resource_ids: unknown };
  return {
    ...raw,
    resource_ids: Array.isArray(raw.resource_ids) ? (raw.resource_ids as string[]) : [],
    holder: raw.holder ?? null,
    holder_id: raw.holder_id ?? null,
    holder_process: raw.holder_process ?? null,
  };
}

export function redisLeaseStorage(settings: Settings, namespace: string): LeaseStorage {
  let opened: Promise<Redis> | null = null;
  const client = (): Promise<Redis> => {
    opened ??= import("ioredis").then(
      ({ Redis: RedisClient }) =>
        new RedisClient({
          host: settings.redis.host,
          port: settings.redis.port,
          db: settings.redis.db,
          username: settings.redis.username ?? undefined,
          password: settings.redis.password ?? undefined,
          maxRetriesPerRequest: 2,
        }),
    );
    return opened;
  };
  const ns = namespace;
  const readMany = async (ids: string[]): Promise<ConcurrencyLease[]> => {
    if (ids.length === 0) return [];
    const texts = await (await client()).mget(ids.map((id) => `${ns}lease:${id}`));
    return texts.flatMap((t) => (t ? [parse(t)] : []));
  };
  const create = async (lease: ConcurrencyLease): Promise<void> => {
    await (await client()).eval(
      CREATE,
      0,
      ns,
      JSON.stringify(lease),
      ms(lease.expiration),
      ms(lease.created),
      lease.holder_process ? hostOf(lease.holder_process) : "",
    );
  };
  return {
    kind: "redis",
    create: (_trx, lease) => create(lease),
    async take(_trx, id, expiredBy) {
      const text = await (await client()).eval(TAKE, 0, ns, id, expiredBy ? ms(expiredBy) : "");
      return typeof text === "string" ? parse(text) : null;
    },
    restore: create,
    async read(id) {
      const text = await (await client()).get(`${ns}lease:${id}`);
      return text ? parse(text) : null;
    },
    async renew(id, expiration) {
      return (await (await client()).eval(RENEW, 0, ns, id, expiration, ms(expiration))) === 1;
    },
    async expiredIds(now, max) {
      return (await client()).zrangebyscore(`${ns}expirations`, "-inf", ms(now), "LIMIT", 0, max);
    },
    async ofLimits(limitIds) {
      const redis = await client();
      const ids = new Set<string>();
      for (const limitId of limitIds)
        for (const id of await redis.smembers(`${ns}limit:${limitId}`)) ids.add(id);
      return (await readMany([...ids])).sort((a, b) => a.created.localeCompare(b.created));
    },
    async ofHolder(holderId) {
      return (await client()).smembers(`${ns}holder:${holderId}`);
    },
    async orphanedIds(_now, cutoff) {
      const redis = await client();
      const ids = await redis.zrangebyscore(`${ns}bound`, "-inf", `(${ms(cutoff)}`);
      const orphaned: string[] = [];
      const attached = new Map<string, boolean>();
      for (const lease of await readMany(ids)) {
        if (!lease.holder_id) continue;
        let live = attached.get(lease.holder_id);
        if (live === undefined) {
          live = (await redis.exists(`${ns}attached:${lease.holder_id}`)) === 1;
          attached.set(lease.holder_id, live);
        }
        if (!live) orphaned.push(lease.id);
      }
      return orphaned;
    },
    async processBound(host) {
      const ids = await (await client()).smembers(`${ns}process:${host}`);
      return (await readMany(ids)).flatMap((l) =>
        l.holder_process ? [{ id: l.id, holder_process: l.holder_process }] : [],
      );
    },
    async attach(holderIds, until) {
      if (holderIds.length === 0) return;
      const redis = await client();
      const ttl = Math.max(1, ms(until) - Date.now());
      const pipeline = redis.pipeline();
      for (const id of holderIds) pipeline.set(`${ns}attached:${id}`, until, "PX", ttl);
      await pipeline.exec();
    },
    async detach(holderId) {
      await (await client()).del(`${ns}attached:${holderId}`);
    },
    // attachments expire by themselves in Redis
    forgetLapsed: async () => undefined,
    async close() {
      if (opened) await (await opened).quit().catch(() => undefined);
      opened = null;
    },
  };
}
