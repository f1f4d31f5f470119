import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";
import { freshState } from "../states.ts";

/** A RUNNING proposal with a live cache entry for its key gets a `Cached` copy of that state. */
export const CacheRetrieval: OrchestrationRule<TaskOrchestrationContext> = {
  name: "CacheRetrieval",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  async before(t) {
    const { ctx, proposed } = t;
    const key = proposed.state_details.cache_key;
    if (!key || proposed.state_details.refresh_cache) return;
    const cached = await ctx.deps.readCachedState(key, ctx.clock.nowIso());
    if (!cached) return;
    const copy = freshState(ctx.clock, {
      type: cached.type,
      name: "Cached",
      message: cached.message,
      data: cached.data,
      state_details: { ...cached.state_details },
    });
    t.reject(copy, "Retrieved state from cache");
  },
};
