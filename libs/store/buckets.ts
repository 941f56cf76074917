/**
 * Rollups count per minute bucket. A time window selects whole buckets: `since` is rounded down to
 * its minute and `until` up, and a bucket (or a discrepancy) is in the window when its start (its
 * receive time) is in [since, until). Summary, endpoints, gate, metrics and the discrepancy list all
 * use this one rule, so they agree.
 */
export const BUCKET_MS = 60_000;

export const bucketOf = (epochMs: number): number => epochMs - (((epochMs % BUCKET_MS) + BUCKET_MS) % BUCKET_MS);

export interface BucketWindow {
  /** Inclusive, a bucket start. */
  since: number | undefined;
  /** Exclusive, a bucket start. */
  until: number | undefined;
}

export function bucketWindow(window: { since?: number | undefined; until?: number | undefined } | undefined): BucketWindow {
  const since = window?.since === undefined ? undefined : bucketOf(window.since);
  const until = window?.until === undefined ? undefined : bucketOf(window.until) === window.until ? window.until : bucketOf(window.until) + BUCKET_MS;
  return { since, until };
}
