// @ts-check
/**
 * What the timeline charts draw, from the points of GET /api/v1/timeline: the mismatch rate with
 * the gate's limit, the volume, and primary vs shadow p99. One spec per chart, read by the charts
 * (uPlot series) and by their data tables alike.
 */
import { fmtInt, fmtMs } from './api.js';

/** @typedef {import('./api-types.js').TimelineResponse} TimelineResponse */

const pct = (v) => (typeof v === 'number' ? `${v.toFixed(2)}%` : '—');

/** A point with nothing compared has no rate: a gap, not a 0 % that looks healthy. */
const rateOf = (p) => (p.compared > 0 ? p.mismatchRate * 100 : null);

export const CHARTS = [
  {
    id: 'rate',
    title: 'Mismatch rate',
    axis: '%',
    series: [{ key: 'mismatchRate', label: 'mismatch rate', value: rateOf, stroke: '#b42318', fill: 'rgba(180, 35, 24, 0.08)', fmt: pct }],
    /** The gate's maxMismatchRate, drawn as a dashed line. */
    threshold: { label: 'gate limit', stroke: '#475467', fmt: pct },
  },
  {
    id: 'volume',
    title: 'Volume',
    axis: 'exchanges',
    series: [
      { key: 'compared', label: 'compared', value: (p) => p.compared, stroke: '#1d4ed8', fill: 'rgba(29, 78, 216, 0.08)', fmt: fmtInt },
      { key: 'mismatched', label: 'mismatched', value: (p) => p.mismatched, stroke: '#b42318', fmt: fmtInt },
      { key: 'shadowErrors', label: 'shadow errors', value: (p) => p.shadowErrors, stroke: '#a15c07', fmt: fmtInt },
      { key: 'skipped', label: 'skipped', value: (p) => p.skipped, stroke: '#98a2b3', fmt: fmtInt },
    ],
  },
  {
    id: 'latency',
    title: 'p99 latency',
    axis: 'ms',
    series: [
      { key: 'primaryP99Ms', label: 'primary p99', value: (p) => p.primaryP99Ms, stroke: '#157f3b', fmt: fmtMs },
      { key: 'shadowP99Ms', label: 'shadow p99', value: (p) => p.shadowP99Ms, stroke: '#7c3aed', fmt: fmtMs },
    ],
  },
];

/** uPlot's data for a chart: x in seconds, then each series, then the threshold's constant line. */
/**
 * @param {TimelineResponse['points']} points
 * @param {number | null} threshold
 */
export function chartData(spec, points, threshold) {
  const data = [points.map((p) => Date.parse(p.t) / 1000), ...spec.series.map((s) => points.map(s.value))];
  if (spec.threshold) data.push(points.map(() => (typeof threshold === 'number' ? threshold * 100 : null)));
  return data;
}
