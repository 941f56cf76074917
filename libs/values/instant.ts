/**
 * An instant as `since` and `until` take it, on the report API and the gate CLI: an ISO 8601
 * date-time (`2026-11-24T10:00:00Z`) or an ISO 8601 duration counted back from now (`PT15M`).
 * Either must name a real calendar instant between 1970 and now's far future: a duration reaching
 * back before 1970 (`P99999999999999999999D`) or a 30th of February is refused, never wrapped.
 */
import { readIsoDuration } from './durations.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds, or null when the text is neither form or names no usable instant. */
export function parseInstant(text: string, now = Date.now()): number | null {
  const back = readIsoDuration(text);
  if (back !== undefined) return Number.isFinite(back) && back <= now ? now - back : null;
  const date = DATE_TIME.exec(text);
  if (!date) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) return null;
  // Date.parse rolls 2026-02-30 over to March 2nd; the calendar date must exist as written.
  const [year, month, day] = date.slice(1, 4).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day ? ms : null;
}

export type InstantCheck = { ok: true; value: number } | { ok: false; problem: string };

/** `example` is the duration the message shows (each caller's own, e.g. PT15M or PT30M). */
export function checkInstant(text: string, example: string, now = Date.now()): InstantCheck {
  const at = parseInstant(text, now);
  if (at !== null) return { ok: true, value: at };
  return { ok: false, problem: `must be an ISO 8601 date-time (2026-11-24T10:00:00Z) or a duration back from now no earlier than 1970 (${example}), got '${text}'` };
}
