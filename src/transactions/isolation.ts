/** Transaction isolation levels (Prefect's `IsolationLevel`). */
export const IsolationLevel = {
  /** Readers see committed records; two runs of one key may both compute it. */
  READ_COMMITTED: "READ_COMMITTED",
  /** A lock on the key: the second run waits, then finds the first one's record. */
  SERIALIZABLE: "SERIALIZABLE",
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];
