// @ts-check
/* global URLSearchParams */
/**
 * The run selector's link to /compare: the current run as the head, against the run seen just
 * before it (the list is newest first), so "what did this candidate change?" is one click.
 */
/**
 * @param {import('./api-types.js').RunsResponse['runs']} runs
 * @param {string} current
 */
export function compareHref(runs, current) {
  const at = runs.findIndex((r) => r.run === current);
  const base = at >= 0 ? runs[at + 1]?.run : undefined;
  const q = new URLSearchParams();
  if (base) q.set('base', base);
  if (current) q.set('head', current);
  const text = q.toString();
  return text ? `/compare?${text}` : '/compare';
}
