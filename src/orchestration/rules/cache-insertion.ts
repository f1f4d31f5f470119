import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** Maximum cache key length (`tasks.max_cache_key_length`). */
export const MAX_CACHE_KEY_LENGTH = 2000;

/** A COMPLETED state with a `cache_key` is recorded in the cache (over-long keys are refused). */
export const CacheInsertion: OrchestrationRule<TaskOrchestrationContext> = {
  name: "CacheInsertion",
  fromStates: ALL_STATES,
  toStates: [StateType.COMPLETED],
  before(t) {
    const key = t.proposed.state_details.cache_key;
    if (key && key.length > MAX_CACHE_KEY_LENGTH) {
      t.reject(
        t.proposed,
        `Cache key exceeded maximum allowed length of ${MAX_CACHE_KEY_LENGTH} characters.`,
      );
    }
  },
  async after({ ctx, validated }) {
    const key = validated?.state_details.cache_key;
    if (!validated || !key || key.length > MAX_CACHE_KEY_LENGTH) return;
    await ctx.deps.insertCacheEntry(key, validated.state_details.cache_expiration, validated.id);
  },
};
