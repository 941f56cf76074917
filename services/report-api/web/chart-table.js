// @ts-check
/**
 * A chart's data as a table, for screen readers and keyboards: a <details> under the chart whose
 * rows are built only while it is open. Each point's time is a button that sets the window to it.
 */
import { fmtDateTime, h, setText } from './api.js';

export function chartTable(spec, onWindow) {
  const tbody = h('tbody');
  const caption = h('caption', { class: 'sr-only' }, `${spec.title} per point`);
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'From'),
    ...spec.series.map((s) => h('th', { scope: 'col', class: 'num' }, s.label)),
    spec.threshold ? h('th', { scope: 'col', class: 'num' }, spec.threshold.label) : null,
  );
  const summary = h('summary', {}, `${spec.title}: data table`);
  const details = h('details', { class: 'chart-table', dataset: { chart: spec.id } }, summary, h('div', { class: 'table-scroll tall' }, h('table', { class: 'data' }, caption, h('thead', {}, head), tbody)));
  let last = null;
  /** What the rows show: a refresh with the same figures leaves them (and the focus) alone. */
  let shown = '';

  function render() {
    if (!details.open || !last) return;
    const { points, bucketSeconds, threshold } = last;
    const signature = JSON.stringify([points, bucketSeconds, threshold]);
    if (signature === shown) return;
    shown = signature;
    const rows = points.map((p) => {
      const since = Date.parse(p.t);
      const until = since + bucketSeconds * 1000;
      const zoom = h('button', { type: 'button', class: 'link-button', title: 'Set the window to this point' }, fmtDateTime(p.t));
      zoom.addEventListener('click', () => onWindow(iso(since), iso(until)));
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, zoom),
        ...spec.series.map((s) => h('td', { class: 'num' }, s.fmt(s.value(p)))),
        spec.threshold ? h('td', { class: 'num' }, spec.threshold.fmt(typeof threshold === 'number' ? threshold * 100 : null)) : null,
      );
    });
    tbody.replaceChildren(...rows);
  }
  details.addEventListener('toggle', render);

  return {
    element: details,
    update(points, bucketSeconds, threshold) {
      last = { points, bucketSeconds, threshold };
      setText(summary, `${spec.title}: data table (${points.length} points of ${bucketSeconds / 60} min)`);
      render();
    },
  };
}

/** ISO 8601 without milliseconds: what the window inputs show. */
export const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A point's width in words: 5 min, 3 h, 2 d. */
export function fmtWidth(seconds) {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${Math.round(seconds / 60)} min`;
}
