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

/**
 * Every rollup is kept at four spans: the minute, the hour and the (UTC) day it falls in, and the
 * run's total (bucket 0). A window is read as whole days where it covers them, whole hours at its
 * edges, and minutes at the very edges, and no window at all reads the totals: a report over a week
 * reads a few hundred rows per endpoint, not one per minute.
 */
export const SPAN = { minute: 60_000, hour: 3_600_000, day: 86_400_000, total: 0 } as const;
export type Span = (typeof SPAN)[keyof typeof SPAN];

/** The (span, bucket) keys an exchange received at `epochMs` counts under. */
export function spanKeys(epochMs: number): { span: Span; bucket: number }[] {
  const at = (span: number) => epochMs - (((epochMs % span) + span) % span);
  return [
    { span: SPAN.minute, bucket: at(SPAN.minute) },
    { span: SPAN.hour, bucket: at(SPAN.hour) },
    { span: SPAN.day, bucket: at(SPAN.day) },
    { span: SPAN.total, bucket: 0 },
  ];
}

export interface SpanRange {
  span: Span;
  /** Bucket starts in [from, to). */
  from: number;
  to: number;
}

/** Far enough in the future for an open-ended window, and a whole number of days. */
const END_OF_TIME = Math.floor(Number.MAX_SAFE_INTEGER / SPAN.day) * SPAN.day;

const down = (t: number, span: number) => t - (((t % span) + span) % span);
const up = (t: number, span: number) => (down(t, span) === t ? t : down(t, span) + span);

/**
 * The spans and bucket ranges that cover a window exactly (whole minutes, as bucketWindow rounds
 * it); null for no window: read the totals. `largest` caps the span read (the timeline groups rows
 * into points, and a row must not be longer than its point).
 */
export function spanRanges(
  window: { since?: number | undefined; until?: number | undefined } | undefined,
  largest: Span = SPAN.day,
): SpanRange[] | null {
  const w = bucketWindow(window);
  if (w.since === undefined && w.until === undefined) return null;
  const since = w.since ?? 0;
  const until = w.until ?? END_OF_TIME;
  if (since >= until) return [{ span: SPAN.minute, from: since, to: since }];
  const ranges: SpanRange[] = [];
  const add = (span: Span, from: number, to: number) => {
    if (from < to) ranges.push({ span, from, to });
  };
  if (largest === SPAN.minute) {
    add(SPAN.minute, since, until);
    return ranges;
  }
  const d0 = up(since, SPAN.day);
  const d1 = down(until, SPAN.day);
  if (largest === SPAN.day && d0 < d1) {
    add(SPAN.day, d0, d1);
    addHoursAndMinutes(add, since, d0);
    addHoursAndMinutes(add, d1, until);
  } else {
    addHoursAndMinutes(add, since, until);
  }
  return ranges;
}

function addHoursAndMinutes(add: (span: Span, from: number, to: number) => void, since: number, until: number): void {
  const h0 = up(since, SPAN.hour);
  const h1 = down(until, SPAN.hour);
  if (h0 < h1) {
    add(SPAN.hour, h0, h1);
    add(SPAN.minute, since, h0);
    add(SPAN.minute, h1, until);
  } else {
    add(SPAN.minute, since, until);
  }
}
