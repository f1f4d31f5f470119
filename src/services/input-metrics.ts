/**
 * Counts of input the server refused without an HTTP answer to carry the refusal — kept for the
 * server's logs and metrics (process-wide: one server a process).
 */
export interface InputMetrics {
  /** `/events/in` frames refused for text the database cannot hold (a NUL, a lone surrogate). */
  refusedEventFrames: number;
}

export const inputMetrics: InputMetrics = { refusedEventFrames: 0 };
