/**
 * `since` and `until` accept an ISO 8601 date-time (`2026-11-24T10:00:00Z`) or an ISO 8601 duration
 * counted back from now (`PT15M`, `P1D`), which a static Argo or Flagger template can carry.
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds, or null when the text is neither form. */
export function parseInstant(text: string, now = Date.now()): number | null {
  const d = DURATION.exec(text);
  if (d && text !== 'P' && !text.endsWith('T')) {
    const [days, hours, minutes, seconds] = d.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number];
    return now - (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
  }
  if (!DATE_TIME.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
