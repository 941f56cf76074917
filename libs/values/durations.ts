/**
 * The two ways a duration is written: the option table's `500ms`, `5s`, `2m`, `7d` (a bare number
 * is milliseconds), and ISO 8601's `PT15M`, `P1D`, which a static Argo or Flagger template carries.
 * Both read to milliseconds; each returns undefined for text that is not its form.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNIT_DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export const UNIT_DURATION_FORMS = 'a duration such as 500ms, 5s, 2m, 7d (a bare number is milliseconds)';

/** `500ms`, `5s`, `1.5m`, `7d` or bare milliseconds, rounded to whole milliseconds. */
export function readUnitDuration(text: string): number | undefined {
  const m = UNIT_DURATION.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
}

/** `PT15M`, `P1DT2H`, `PT0.5S`: days, hours, minutes and seconds (no years or months, whose length varies). */
export function readIsoDuration(text: string): number | undefined {
  const d = ISO_DURATION.exec(text);
  if (!d || text === 'P' || text.endsWith('T')) return undefined;
  const [days, hours, minutes, seconds] = d.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number];
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}
