/** Which dates a schedule is asked for (instants in microseconds since the epoch). */
export interface DateWindow {
  /** First instant a date may fall on (inclusive). */
  start: number;
  /** Last instant a date may fall on (inclusive), if any. */
  end?: number;
  /** How many dates at most. */
  count: number;
  /**
   * How many candidate dates on or after the start are looked at, at most (Prefect's
   * MAX_ITERATIONS, 1000): a schedule whose times repeat or fall out of the window stops there.
   */
  maxCandidates: number;
}
