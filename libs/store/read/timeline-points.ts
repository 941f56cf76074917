/**
 * How a window is cut into a timeline's points: consecutive minute buckets merged to a "nice"
 * width (1, 5, 15, 30 min, 1, 3, 6, 12 h, 1 d, then whole days), the smallest that gives at most
 * MAX_POINTS points. Points are aligned on the epoch (UTC), so a width that is a whole number of
 * hours (days) can be read from the hour (day) rollups, and every rollup row falls in one point.
 */
import { BUCKET_MS, SPAN, type Span } from '../buckets.js';

export const MAX_POINTS = 300;

const NICE_WIDTHS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((minutes) => minutes * BUCKET_MS);

const pointCount = (since: number, until: number, width: number) => Math.floor((until - 1) / width) - Math.floor(since / width) + 1;

/** The width of a point in ms for the window [since, until) (whole minutes, since < until). */
export function pointWidth(since: number, until: number): number {
  for (const width of NICE_WIDTHS) if (pointCount(since, until, width) <= MAX_POINTS) return width;
  let days = Math.max(2, Math.ceil((until - since) / SPAN.day / MAX_POINTS));
  while (pointCount(since, until, days * SPAN.day) > MAX_POINTS) days++;
  return days * SPAN.day;
}

/** The longest rollup span that divides a point: what the timeline reads. */
export const spanFor = (width: number): Span => (width % SPAN.day === 0 ? SPAN.day : width % SPAN.hour === 0 ? SPAN.hour : SPAN.minute);

/** The starts of the points covering [since, until), oldest first. */
export function pointStarts(since: number, until: number, width: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(since / width) * width; t < until; t += width) starts.push(t);
  return starts;
}
