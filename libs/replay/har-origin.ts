/**
 * A HAR file records everything a browser fetched: the API under test, but also CDNs, analytics and
 * other services. A replay sends every entry to one candidate, so it replays one origin: the one asked
 * for (`--har-origin`), else the one with the most entries (the first of them on a tie). Entries of
 * other origins are left out and reported; entries without an origin (a path-only url) are kept.
 */
import { ReplayInputError } from '../errors.js';
import type { LeftOut, ParseResult } from './formats/recorded-exchange.js';

/** scheme://host[:port] as URL.origin writes it (host lower-cased, default port dropped). */
function normalOrigin(text: string): string {
  try {
    return new URL(text).origin;
  } catch {
    throw new ReplayInputError(`--har-origin: '${text}' is not an origin such as https://api.example.com`);
  }
}

function counts(result: ParseResult): Map<string, number> {
  const byOrigin = new Map<string, number>();
  for (const e of result.exchanges) if (e.origin !== null) byOrigin.set(e.origin, (byOrigin.get(e.origin) ?? 0) + 1);
  return byOrigin;
}

export function pickOrigin(result: ParseResult, wanted?: string): ParseResult & { origin: string | null } {
  const byOrigin = counts(result);
  let origin: string | null = null;
  if (wanted !== undefined) {
    origin = normalOrigin(wanted);
    if (!byOrigin.has(origin)) {
      const held = [...byOrigin].map(([o, n]) => `${o} (${n})`).join(', ') || 'none';
      throw new ReplayInputError(`no entry of origin ${origin} in the HAR file; its origins: ${held}`);
    }
  } else {
    for (const [o, n] of byOrigin) if (origin === null || n > (byOrigin.get(origin) ?? 0)) origin = o;
  }
  const leftOut: LeftOut[] = [...(result.leftOut ?? [])];
  const exchanges = result.exchanges.filter((e) => {
    if (e.origin === null || e.origin === origin) return true;
    leftOut.push({ position: e.position, reason: 'other_origin', origin: e.origin });
    return false;
  });
  leftOut.sort((a, b) => a.position - b.position);
  return { exchanges, problems: result.problems, leftOut, origin };
}

/** What was left out, summed up for the report: `{ websocket, otherOrigins: { origin: count } }`. */
export function leftOutSummary(leftOut: readonly LeftOut[]): { websocket: number; otherOrigins: Record<string, number> } {
  const otherOrigins: Record<string, number> = {};
  let websocket = 0;
  for (const l of leftOut) {
    if (l.reason === 'websocket') websocket++;
    else otherOrigins[l.origin ?? 'none'] = (otherOrigins[l.origin ?? 'none'] ?? 0) + 1;
  }
  return { websocket, otherOrigins };
}
