/**
 * The application context tests call the models with: the server's core over a test database (its
 * event bus, with the task-run recorder), with the app clock a test chooses. Events the models
 * publish after commit can be collected with `publishedEvents`.
 */
import type { ReceivedEvent } from "../../src/core/events.ts";
import type { Clock } from "../../src/core/time.ts";
import { resolveEventFilter } from "../../src/resources/events/filter-schema.ts";
import { type Core, createServerCore } from "../../src/services/composition.ts";
import type { AppContext } from "../../src/services/context.ts";
import type { Database } from "../../src/storage/database.ts";

const cores = new WeakMap<Database, Core>();

/** The context of `database` with the system clock (one per database), or with `clock`. */
export function ctxOf(database: Database, clock?: Clock): AppContext {
  if (clock) return createServerCore({ database, clock }).ctx;
  let core = cores.get(database);
  if (!core) {
    core = createServerCore({ database });
    cores.set(database, core);
  }
  return core.ctx;
}

/** Every event `core` publishes from now on (the returned array fills as they are published). */
export function publishedEvents(core: Core): ReceivedEvent[] {
  const seen: ReceivedEvent[] = [];
  const all = resolveEventFilter(
    {
      occurred: { since: "1970-01-01T00:00:00Z", until: "9999-12-31T00:00:00Z" },
      order: "ASC",
    },
    core.ctx.clock.nowIso(),
  );
  core.bus.subscribe(all, (event) => seen.push(event));
  return seen;
}
