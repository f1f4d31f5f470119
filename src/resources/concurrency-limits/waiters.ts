/**
 * Requests waiting for slots, first come first served within each limit. A waiter is queued on
 * every limit it asks for and is tried only when it is first in all those queues; it is tried
 * again the moment one of its limits frees slots (`pump`), and on a short poll while any waits
 * (slots freed by another process or server, or decaying with time). Nothing here touches
 * storage: `attempt` does, and answers whether it got the slots.
 */

export interface Waiter {
  readonly limitIds: readonly string[];
  /** Try to take the slots: true when taken (the waiter is done), false when still full. */
  attempt(): Promise<boolean>;
  /** Told when `attempt` threw: the waiter is dropped with that error. */
  fail(error: unknown): void;
}

export class WaitQueues {
  readonly #queues = new Map<string, Waiter[]>();
  #pumping: Promise<void> = Promise.resolve();
  #wanted = new Set<string>();
  #scheduled = false;

  /** True when someone waits on any of these limits (a newcomer must queue behind them). */
  anyWaiting(limitIds: readonly string[]): boolean {
    return limitIds.some((id) => (this.#queues.get(id)?.length ?? 0) > 0);
  }

  get size(): number {
    const all = new Set<Waiter>();
    for (const queue of this.#queues.values()) for (const w of queue) all.add(w);
    return all.size;
  }

  /** The limits someone waits on. */
  waitedLimits(): string[] {
    return [...this.#queues.keys()];
  }

  /** How many wait on this limit. */
  waitingOn(limitId: string): number {
    return this.#queues.get(limitId)?.length ?? 0;
  }

  enqueue(waiter: Waiter): void {
    for (const id of new Set(waiter.limitIds)) {
      const queue = this.#queues.get(id);
      if (queue) queue.push(waiter);
      else this.#queues.set(id, [waiter]);
    }
  }

  remove(waiter: Waiter): void {
    for (const id of new Set(waiter.limitIds)) {
      const queue = this.#queues.get(id);
      if (!queue) continue;
      const at = queue.indexOf(waiter);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.#queues.delete(id);
    }
  }

  /**
   * Try the waiters of these limits (all waited limits when none are given), first to last: one
   * pump at a time, so that two never race for the same slots. Resolves once they were tried.
   */
  pump(limitIds?: readonly string[]): Promise<void> {
    for (const id of limitIds ?? this.waitedLimits()) {
      if (this.#queues.has(id)) this.#wanted.add(id);
    }
    if (this.#wanted.size === 0 || this.#scheduled) return this.#pumping;
    this.#scheduled = true;
    this.#pumping = this.#pumping.then(async () => {
      this.#scheduled = false;
      const wanted = [...this.#wanted];
      this.#wanted = new Set();
      for (const id of wanted) await this.#drain(id);
      // limits whose next waiter may now be first everywhere
      if (this.#wanted.size > 0) void this.pump([]);
    });
    return this.#pumping;
  }

  async #drain(limitId: string): Promise<void> {
    for (;;) {
      const head = this.#queues.get(limitId)?.[0];
      if (!head) return;
      // first on this limit but behind someone on another: that one goes first
      if (!head.limitIds.every((id) => this.#queues.get(id)?.[0] === head)) return;
      let taken: boolean;
      try {
        taken = await head.attempt();
      } catch (error) {
        this.remove(head);
        head.fail(error);
        continue;
      }
      if (!taken) return;
      this.remove(head);
      // the next of each of its other limits may be first everywhere now
      for (const id of head.limitIds)
        if (id !== limitId && this.#queues.has(id)) this.#wanted.add(id);
    }
  }
}
