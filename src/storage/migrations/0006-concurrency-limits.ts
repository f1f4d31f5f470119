import type { Migration } from "./column-types.ts";

/**
 * Concurrency limits (Prefect's `concurrency_limit_v2`; v1 tag limits are v2 limits named
 * `tag:<tag>`, as Prefect 3 keeps them) and the leases their slots are held under, when leases
 * live in the database (the default lease storage):
 *
 * - `concurrency_lease`: one row per lease (its slots, expiration, holder), and how its holder is
 *   bound, when it is: to a holder connection of ours (`holder_id`) or to a local process
 *   (`holder_process`, `"<host>:<pid>"`).
 * - `concurrency_lease_limit`: the limits a lease holds slots of (the holders of a limit are one
 *   index seek).
 * - `concurrency_lease_holder`: holders attached to an API server through its holder socket, and
 *   until when the attachment is good unless renewed (servers renew theirs every loop).
 *
 * `decay_anchor` is ours: the instant from which a decaying limit's slots decay, advanced by the
 * whole slots decayed only, so a rate limit keeps its rate however often it is asked.
 */
export const concurrencyLimitsMigration: Migration = {
  id: 6,
  name: "concurrency-limits",
  statements: (t) => [
    `CREATE TABLE concurrency_limit_v2 (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      active ${t.bool} NOT NULL,
      name ${t.text} NOT NULL,
      "limit" ${t.int} NOT NULL,
      active_slots ${t.int} NOT NULL,
      denied_slots ${t.int} NOT NULL,
      slot_decay_per_second ${t.float} NOT NULL,
      avg_slot_occupancy_seconds ${t.float} NOT NULL,
      decay_anchor ${t.ts} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_concurrency_limit_v2__name ON concurrency_limit_v2 (name)",
    `CREATE TABLE concurrency_lease (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      expiration ${t.ts} NOT NULL,
      resource_ids ${t.json} NOT NULL,
      slots ${t.int} NOT NULL,
      holder ${t.json},
      holder_id ${t.text},
      holder_process ${t.text}
    )`,
    "CREATE INDEX ix_concurrency_lease__expiration ON concurrency_lease (expiration)",
    "CREATE INDEX ix_concurrency_lease__holder_id ON concurrency_lease (holder_id)",
    "CREATE INDEX ix_concurrency_lease__holder_process ON concurrency_lease (holder_process)",
    `CREATE TABLE concurrency_lease_limit (
      lease_id ${t.uuid} NOT NULL REFERENCES concurrency_lease (id) ON DELETE CASCADE,
      limit_id ${t.uuid} NOT NULL,
      PRIMARY KEY (lease_id, limit_id)
    )`,
    "CREATE INDEX ix_concurrency_lease_limit__limit_id ON concurrency_lease_limit (limit_id)",
    `CREATE TABLE concurrency_lease_holder (
      id ${t.text} PRIMARY KEY,
      attached_until ${t.ts} NOT NULL
    )`,
  ],
};
