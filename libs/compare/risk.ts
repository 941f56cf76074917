import type { Difference, Risk } from './difference.js';
import { RISKS } from './difference.js';

/**
 * How much one difference matters:
 * - high: the contract broke — a field disappeared or changed type, the body is no longer the same
 *   kind, the shadow failed, or the status moved to another class (2xx/3xx/4xx/5xx) or to a 5xx;
 * - medium: the same shape with other content — values, array lengths, texts, bytes, headers
 *   changed or removed, a status changed within its class, a key repeated in an object (clients
 *   differ on which value wins, or reject it);
 * - low: additions, which old clients ignore — new fields, new headers.
 */
export function riskOf(d: Omit<Difference, 'risk'>): Risk {
  switch (d.kind) {
    case 'field_removed':
    case 'type_changed':
    case 'body_type_changed':
    case 'shadow_error':
      return 'high';
    case 'status_changed':
      return statusChangeRisk(d.primary, d.shadow);
    case 'value_changed':
    case 'header_changed':
    case 'header_removed':
    case 'text_differs':
    case 'binary_differs':
    case 'array_length':
    case 'duplicate_key':
      return 'medium';
    case 'field_added':
    case 'header_added':
      return 'low';
  }
}

function statusChangeRisk(primary: unknown, shadow: unknown): Risk {
  // Statuses that are not numbers cannot be classed: assume the worst.
  if (typeof primary !== 'number' || typeof shadow !== 'number') return 'high';
  if (shadow >= 500) return 'high';
  return Math.floor(primary / 100) === Math.floor(shadow / 100) ? 'medium' : 'high';
}

/** The highest risk among the differences; null when there are none. */
export function highestRisk(ds: readonly Pick<Difference, 'risk'>[]): Risk | null {
  let highest = -1;
  for (const d of ds) highest = Math.max(highest, RISKS.indexOf(d.risk));
  return RISKS[highest] ?? null;
}
