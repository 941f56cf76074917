/** `since` / `until` query parameters, shared by every report route (declared in libs/api/common-schemas.ts). */
import { parseInstant } from '../../libs/gate/time-window.js';
import type { TimeWindow } from '../../libs/store/index.js';
import { badParameter } from './http-errors.js';

/** `prefix` names where the values came from in a 400 (`metadata.` for the Flagger webhook). */
export function windowFrom(query: { since?: string | undefined; until?: string | undefined }, prefix = ''): TimeWindow {
  const window: TimeWindow = {};
  for (const key of ['since', 'until'] as const) {
    const raw = query[key];
    if (raw === undefined) continue;
    const at = parseInstant(raw);
    if (at === null) {
      throw badParameter(`${prefix}${key}`, `must be an ISO 8601 date-time (2026-11-24T10:00:00Z) or a duration back from now no earlier than 1970 (PT15M), got '${raw}'`);
    }
    window[key] = at;
  }
  if (window.since !== undefined && window.until !== undefined && window.since >= window.until) {
    throw badParameter(`${prefix}until`, 'must be later than since');
  }
  return window;
}
