/**
 * Request and response schemas of the concurrency-limit routes, shaped after Prefect's
 * (`ConcurrencyLimitV2Create`, `ConcurrencyLimitV2Update`, the increment and decrement bodies,
 * `GlobalConcurrencyLimitResponse`, `ConcurrencyLimitWithLeaseResponse`; v1's `ConcurrencyLimit`).
 */
import { z } from "zod";
import { type ConcurrencyLimit, LEASE_HOLDER_TYPES } from "../../core/concurrency.ts";
import { Int4, optionalBody, orDefault, Uuid } from "../../server/schemas/common.ts";
import { LimitSchema } from "../../server/schemas/filters.ts";
import { id, nullableTime, time } from "../../server/schemas/responses.ts";

/** Prefect's name pattern for limits: no `/`, `%`, `&`, `>` or `<`. */
const LimitName = z
  .string()
  .min(1)
  .max(2000)
  .regex(/^[^/%&><]+$/, { message: "String should match pattern '^[^/%&><]+$'" });
const Count = Int4.min(0);

export const ConcurrencyLimitCreateSchema = z
  .object({
    active: orDefault(z.boolean(), () => true),
    name: LimitName,
    limit: Count,
    active_slots: orDefault(Count, () => 0),
    denied_slots: orDefault(Count, () => 0),
    slot_decay_per_second: orDefault(z.number().min(0).max(1e9), () => 0),
  })
  .strict();

export const ConcurrencyLimitUpdateSchema = z
  .object({
    active: z.boolean().nullish(),
    name: LimitName.nullish(),
    limit: Count.nullish(),
    active_slots: Count.nullish(),
    denied_slots: Count.nullish(),
    slot_decay_per_second: z.number().min(0).max(1e9).nullish(),
  })
  .strict();

export const IdOrNameParams = z.object({ id_or_name: z.string().min(1) });

const Slots = Int4.min(1);
const Names = z.array(z.string()).min(1);
const Mode = orDefault(z.enum(["concurrency", "rate_limit"]), () => "concurrency" as const);
/** Prefect's bounds of a lease's duration: 1 minute to 1 day. */
const LeaseDuration = orDefault(z.number().min(60).max(86_400), () => 300);

export const IncrementBodySchema = z.object({
  slots: Slots,
  names: Names,
  mode: Mode,
  create_if_missing: z.boolean().nullish(),
});

export const LeaseHolderSchema = z.object({ type: z.enum(LEASE_HOLDER_TYPES), id: Uuid }).strict();

export const IncrementWithLeaseBodySchema = z.object({
  slots: Slots,
  names: Names,
  mode: Mode,
  lease_duration: LeaseDuration,
  holder: LeaseHolderSchema.nullish(),
});

export const DecrementBodySchema = z.object({
  slots: Slots,
  names: Names,
  occupancy_seconds: z.number().gt(0).nullish(),
  create_if_missing: z.boolean().nullish(),
});

export const DecrementWithLeaseBodySchema = z.object({ lease_id: Uuid });

export const RenewBodySchema = optionalBody(z.object({ lease_duration: LeaseDuration }));

export const LeaseParams = z.object({ lease_id: Uuid });

export const PageBodySchema = optionalBody(
  z.object({ limit: LimitSchema, offset: orDefault(z.number().int().min(0), () => 0) }),
);

/**
 * Ours (Prefect's clients never send them): how long the server may hold an increment waiting for
 * slots (`prefect-ts-wait-seconds` header or `wait` query parameter), and the holder socket a
 * lease is bound to (`prefect-ts-holder` header).
 */
export const WAIT_HEADER = "prefect-ts-wait-seconds";
export const HOLDER_HEADER = "prefect-ts-holder";
export const WaitQuerySchema = z.object({ wait: z.coerce.number().min(0).max(3600).optional() });

// v1 tag limits

export const TagLimitCreateSchema = z
  .object({ tag: z.string().min(1).max(2000), concurrency_limit: Count })
  .strict();
export const TagParams = z.object({ tag: z.string().min(1) });
export const TagIdParams = z.object({ id: Uuid });
export const TagResetBodySchema = optionalBody(
  z.object({ slot_override: z.array(Uuid).nullish() }),
);
export const TagSlotsBodySchema = z.object({ names: z.array(z.string()), task_run_id: Uuid });

// Responses

const limitFields = {
  id,
  created: time,
  updated: time,
  active: z.boolean(),
  name: z.string(),
  limit: z.number().int(),
  active_slots: z.number().int(),
};

/** What creating a limit answers (Prefect's `ConcurrencyLimitV2`). */
export const ConcurrencyLimitV2Response = z
  .object({
    ...limitFields,
    denied_slots: z.number().int(),
    slot_decay_per_second: z.number(),
    avg_slot_occupancy_seconds: z.number(),
  })
  .meta({ id: "ConcurrencyLimitV2" });

/** What reading limits answers (Prefect's `GlobalConcurrencyLimitResponse`). */
export const GlobalConcurrencyLimitResponse = z
  .object({ ...limitFields, slot_decay_per_second: z.number() })
  .meta({ id: "GlobalConcurrencyLimitResponse" });

export function toGlobalLimitResponse(limit: ConcurrencyLimit) {
  const { denied_slots: _d, avg_slot_occupancy_seconds: _a, ...wire } = limit;
  return wire;
}

export const MinimalLimitResponse = z
  .object({ id, name: z.string(), limit: z.number().int() })
  .meta({ id: "MinimalConcurrencyLimitResponse" });

export const LeaseGrantResponse = z
  .object({ lease_id: id, limits: z.array(MinimalLimitResponse) })
  .meta({ id: "ConcurrencyLimitWithLeaseResponse" });

/** Ours: a lease holding slots of a limit (`GET /v2/concurrency_limits/{id_or_name}/holders`). */
export const LeaseResponse = z
  .object({
    id,
    created: time,
    expiration: time,
    resource_ids: z.array(id),
    slots: z.number().int(),
    holder: z.object({ type: z.enum(LEASE_HOLDER_TYPES), id }).nullable(),
    holder_id: z.string().nullable(),
    holder_process: z.string().nullable(),
  })
  .meta({ id: "ConcurrencyLease" });

export const TagLimitResponse = z
  .object({
    id,
    created: nullableTime,
    updated: nullableTime,
    tag: z.string(),
    concurrency_limit: z.number().int(),
    active_slots: z.array(id),
  })
  .meta({ id: "ConcurrencyLimit" });

/** Prefect's 423 (and its 422s given as `detail`). */
export const DetailResponse = z.object({ detail: z.string() });
