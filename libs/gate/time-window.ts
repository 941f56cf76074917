/**
 * `since` and `until` accept an ISO 8601 date-time (`2026-11-24T10:00:00Z`) or an ISO 8601 duration
 * counted back from now (`PT15M`, `P1D`), which a static Argo or Flagger template can carry.
 * Either must name a real calendar instant between 1970 and now's far future: a duration reaching
 * back before 1970 (`P99999999999999999999D`) or a 30th of February is refused, never wrapped.
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds, or null when the text is neither form or names no usable instant. */
export function parseInstant(text: string, now = Date.now()): number | null {
  const d = DURATION.exec(text);
  if (d && text !== 'P' && !text.endsWith('T')) {
    const [days, hours, minutes, seconds] = d.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number];
    const back = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
    return Number.isFinite(back) && back <= now ? now - back : null;
  }
  const date = DATE_TIME.exec(text);
  if (!date) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) return null;
  // Date.parse rolls 2026-02-30 over to March 2nd; the calendar date must exist as written.
  const [year, month, day] = date.slice(1, 4).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day ? ms : null;
}
