/** `since` / `until` query parameters, shared by every report route (declared in libs/api/common-schemas.ts). */
import { checkInstant } from '../../libs/values/instant.js';
import type { TimeWindow } from '../../libs/store/index.js';
import { badParameter } from './http-errors.js';

/** `prefix` names where the values came from in a 400 (`metadata.` for the Flagger webhook). */
export function windowFrom(query: { since?: string | undefined; until?: string | undefined }, prefix = ''): TimeWindow {
  const window: TimeWindow = {};
  for (const key of ['since', 'until'] as const) {
    const raw = query[key];
    if (raw === undefined) continue;
    const at = checkInstant(raw, 'PT15M');
    if (!at.ok) throw badParameter(`${prefix}${key}`, at.problem);
    window[key] = at.value;
  }
  if (window.since !== undefined && window.until !== undefined && window.since >= window.until) {
    throw badParameter(`${prefix}until`, 'must be later than since');
  }
  return window;
}
