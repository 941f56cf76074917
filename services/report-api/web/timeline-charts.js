// @ts-check
/* global ResizeObserver */
/**
 * The run's (or the endpoint's) timeline as three uPlot charts with synced cursors: mismatch rate
 * with the gate's limit, volume, primary vs shadow p99. Dragging across a chart (or selecting by
 * keyboard, chart-keys.js) calls onWindow(since, until) with whole points; each chart has its
 * data as a table too (chart-table.js).
 */
import uPlot from '/assets/uplot/uPlot.esm.js';
import { fmtDateTime, h, setText } from './api.js';
import { keyboardSelection } from './chart-keys.js';
import { CHARTS, chartData } from './chart-specs.js';
import { chartTable, iso } from './chart-table.js';

/** @typedef {import('./api-types.js').TimelineResponse} TimelineResponse */

const HEIGHT = 170;

function seriesOf(spec) {
  const lines = spec.series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 1.6, value: (_u, v) => s.fmt(v), spanGaps: false }));
  if (spec.threshold) lines.push({ label: spec.threshold.label, stroke: spec.threshold.stroke, dash: [6, 4], width: 1.2, points: { show: false }, value: (_u, v) => spec.threshold.fmt(v) });
  return [{ label: 'time', value: (_u, v) => (v === null || v === undefined ? '—' : fmtDateTime(new Date(v * 1000).toISOString())) }, ...lines];
}

export function createTimeline(root, { onWindow }) {
  /** @type {Pick<TimelineResponse, 'points' | 'bucketSeconds'>} */
  let current = { points: [], bucketSeconds: 60 };
  const status = h('p', { class: 'sr-only', 'aria-live': 'polite', id: 'chart-status' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No traffic in this run and window yet.');
  root.append(status, empty);

  /** Whole points from the first to the last index: the window they cover. */
  const applyRange = (from, to) => {
    const first = current.points[from];
    const last = current.points[to];
    if (!first || !last) return;
    onWindow(iso(Date.parse(first.t)), iso(Date.parse(last.t) + current.bucketSeconds * 1000));
  };

  /** A drag, in seconds on the x scale, snapped outwards to whole points. */
  const applyDrag = (fromSec, toSec) => {
    const w = current.bucketSeconds;
    const since = Math.floor(fromSec / w) * w;
    const until = Math.max(since + w, Math.ceil(toSec / w) * w);
    onWindow(iso(since * 1000), iso(until * 1000));
  };

  const charts = CHARTS.map((spec) => {
    const plot = h('div', { class: 'chart-plot' });
    const figure = h(
      'figure',
      { class: 'chart', tabindex: '0', role: 'group', 'aria-label': `${spec.title} over time; arrows move, Shift+arrows select, Enter sets the window`, 'aria-describedby': 'timeline-help', dataset: { chart: spec.id } },
      h('figcaption', {}, spec.title, ' ', h('span', { class: 'muted' }, spec.axis)),
      plot,
    );
    const table = chartTable(spec, onWindow);
    root.append(h('div', { class: 'chart-box' }, figure, table.element));
    const entry = { spec, plot, figure, table, u: /** @type {uPlot | null} */ (null) };
    entry.keys = keyboardSelection(figure, {
      chart: () => entry.u,
      points: () => current,
      apply: applyRange,
      announce: (from, to, selecting) => {
        const a = current.points[from];
        const b = current.points[to];
        if (!a || !b) return;
        const values = spec.series.map((s) => `${s.label} ${s.fmt(s.value(b))}`).join(', ');
        setText(status, selecting ? `selected ${fmtDateTime(a.t)} to ${fmtDateTime(b.t)}; Enter sets the window` : `${fmtDateTime(b.t)}: ${values}`);
      },
    });
    return entry;
  });

  function build(entry, data) {
    const width = Math.max(280, entry.plot.clientWidth || root.clientWidth || 600);
    entry.u = new uPlot(
      {
        width,
        height: HEIGHT,
        series: seriesOf(entry.spec),
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 1.1)] } },
        axes: [{}, { size: 56 }],
        // Cursors move together; a drag stays on its own chart (else each synced chart would set the window too).
        cursor: { sync: { key: 'shadow-diff-timeline', filters: { pub: (type) => type !== 'mousedown' && type !== 'mouseup' && type !== 'dblclick' } }, drag: { x: true, y: false, setScale: false } },
        legend: { live: true },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
              applyDrag(from, to);
            },
          ],
        },
      },
      data,
      entry.plot,
    );
  }

  new ResizeObserver(() => {
    for (const c of charts) if (c.u) c.u.setSize({ width: Math.max(280, c.plot.clientWidth), height: HEIGHT });
  }).observe(root);

  return {
    /** threshold: the gate's maxMismatchRate (0..1), or null. */
    /**
     * @param {TimelineResponse} timeline
     * @param {number | null} threshold
     */
    update(timeline, threshold) {
      current = timeline;
      const none = timeline.points.length === 0;
      empty.hidden = !none;
      for (const c of charts) {
        c.figure.hidden = none;
        const data = chartData(c.spec, timeline.points, threshold);
        if (!c.u) build(c, data);
        else c.u.setData(data);
        c.keys.clamp();
        c.table.update(timeline.points, timeline.bucketSeconds, threshold);
      }
      root.dataset.points = String(timeline.points.length);
      root.dataset.bucketSeconds = String(timeline.bucketSeconds);
    },
  };
}
