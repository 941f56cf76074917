// @ts-check
/* global document, history, setInterval, setTimeout, clearTimeout, URL, window, Element */
/**
 * The run view (`/`): run picker, summary, gate, endpoints, fields and discrepancies. The URL holds
 * the state (run, endpoint, field, risk, since, until, thresholds); figures refresh every 5 s while
 * the tab is visible and update in place.
 */
import {
  ApiError,
  DEFAULT_THRESHOLDS,
  RISKS,
  byId,
  discrepancyHref,
  fmtClock,
  fmtDateTime,
  fmtInt,
  fmtWhen,
  fmtMs,
  fmtRate,
  getJson,
  h,
  hideBanner,
  overviewHref,
  readState,
  riskBadge,
  setText,
  showBanner,
  statusBadge,
} from './api.js';
import { fmtWidth } from './chart-table.js';
import { compareHref } from './compare-link.js';
import { createTimeline } from './timeline-charts.js';

/** @typedef {import('./api-types.js').RunsResponse} RunsResponse */
/** @typedef {import('./api-types.js').SummaryResponse} SummaryResponse */
/** @typedef {import('./api-types.js').EndpointsResponse} EndpointsResponse */
/** @typedef {import('./api-types.js').DiscrepancyListResponse} DiscrepancyListResponse */
/** @typedef {import('./api-types.js').GateResponse} GateResponse */
/** @typedef {import('./api-types.js').TimelineResponse} TimelineResponse */

const REFRESH_MS = 5000;
const PAGE_SIZE = 50;
const MAX_LIMIT = 500;

/** The URL's state; an unknown risk reads as no risk filter. */
function stateFromUrl() {
  const s = readState();
  if (!RISKS.includes(s.risk)) s.risk = '';
  return s;
}

let state = stateFromUrl();
let pages = 1;
let paused = false;
/** Bumped whenever the state changes: answers to older requests are dropped. */
let generation = 0;
let inFlight = null;
let again = false;

const el = {
  run: byId('run'),
  runMeta: byId('run-meta'),
  updated: byId('updated'),
  pause: byId('pause'),
  filters: byId('filters'),
  endpoint: byId('f-endpoint'),
  field: byId('f-field'),
  risk: byId('f-risk'),
  since: byId('f-since'),
  until: byId('f-until'),
  clear: byId('f-clear'),
  maxRate: byId('t-max-rate'),
  minSamples: byId('t-min-samples'),
  thresholds: byId('thresholds'),
  verdict: byId('gate-verdict'),
  reasons: byId('gate-reasons'),
  endpointsBody: byId('endpoints').tBodies[0],
  endpointsEmpty: byId('endpoints-empty'),
  endpointCapNote: byId('endpoint-cap-note'),
  fieldsBody: byId('fields').tBodies[0],
  fieldsEmpty: byId('fields-empty'),
  fieldsScope: byId('fields-scope'),
  listBody: byId('discrepancy-list').tBodies[0],
  listEmpty: byId('discrepancies-empty'),
  listCount: byId('discrepancies-count'),
  more: byId('more'),
};

// Dragging across a chart sets the window of the whole page (a navigation: back undoes it).
const timeline = createTimeline(byId('charts'), { onWindow: (since, until) => navigate({ ...state, since, until }) });

const thresholds = () => ({
  maxMismatchRate: state.maxMismatchRate || DEFAULT_THRESHOLDS.maxMismatchRate,
  minSamples: state.minSamples || DEFAULT_THRESHOLDS.minSamples,
});
const windowOf = (s) => ({ since: s.since, until: s.until });

// ---------------------------------------------------------------- state and navigation

function navigate(next, { replace = false } = {}) {
  state = { ...next };
  pages = 1;
  generation++;
  const href = overviewHref(state);
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  syncControls();
  void refresh();
}

/** Form controls show the state (after a navigation, back or forward). */
function syncControls() {
  ensureOption(el.endpoint, state.endpoint);
  el.endpoint.value = state.endpoint;
  ensureOption(el.field, state.field);
  el.field.value = state.field;
  el.risk.value = RISKS.includes(state.risk) ? state.risk : '';
  if (document.activeElement !== el.since) el.since.value = state.since;
  if (document.activeElement !== el.until) el.until.value = state.until;
  const t = thresholds();
  if (document.activeElement !== el.maxRate) el.maxRate.value = t.maxMismatchRate;
  if (document.activeElement !== el.minSamples) el.minSamples.value = t.minSamples;
  for (const input of [el.since, el.until]) input.removeAttribute('aria-invalid');
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, value));
}

/** Replaces a select's options only when they change, so a focused select is not disturbed. */
function setOptions(select, options, selected) {
  const wanted = options.some((o) => o.value === selected) || !selected ? options : [...options, { value: selected, label: selected }];
  const signature = wanted.map((o) => `${o.value}\u0000${o.label}`).join('\u0001');
  if (select.dataset.signature !== signature) {
    select.replaceChildren(...wanted.map((o) => h('option', { value: o.value, class: o.muted ? 'muted' : null }, o.label)));
    select.dataset.signature = signature;
  }
  select.value = selected;
}

// ---------------------------------------------------------------- refresh

async function refresh() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = load();
  try {
    await inFlight;
  } finally {
    inFlight = null;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

async function load() {
  const gen = generation;
  const s = { ...state };
  const win = windowOf(s);
  const limit = Math.min(MAX_LIMIT, PAGE_SIZE * pages);
  try {
    const [runs, summary, endpoints, list, gate, points] = await Promise.all([
      /** @type {Promise<RunsResponse>} */ (getJson('/api/v1/runs')),
      /** @type {Promise<SummaryResponse>} */ (getJson('/api/v1/summary', { run: s.run, ...win })),
      /** @type {Promise<EndpointsResponse>} */ (getJson('/api/v1/endpoints', { run: s.run, ...win })),
      // Field and risk filter on the server: the page holds the latest that match, not a filtered latest page.
      /** @type {Promise<DiscrepancyListResponse>} */ (getJson('/api/v1/discrepancies', { run: s.run, endpoint: s.endpoint, field: s.field, risk: s.risk, limit, ...win })),
      /** @type {Promise<GateResponse>} */ (getJson('/api/v1/gate', { run: s.run, ...thresholds(), ...win })).catch((error) => ({ error })),
      /** @type {Promise<TimelineResponse>} */ (getJson('/api/v1/timeline', { run: s.run, endpoint: s.endpoint, ...win })),
    ]);
    if (gen !== generation) return;
    hideBanner();
    document.body.classList.remove('needs-token');
    renderRuns(runs.runs, summary.run);
    byId('compare-link').setAttribute('href', compareHref(runs.runs, s.run || summary.run));
    timeline.update(points, Number(thresholds().maxMismatchRate));
    setText(byId('timeline-scope'), `${s.endpoint || 'all endpoints'} · points of ${fmtWidth(points.bucketSeconds)}`);
    renderSummary(summary);
    renderGate(gate);
    renderEndpoints(endpoints.endpoints);
    renderEndpointCap(endpoints.endpointCap);
    renderFields(endpoints.endpoints);
    renderList(list);
    setText(el.updated, `updated ${fmtClock(new Date())}`);
    el.updated.classList.remove('stale');
  } catch (error) {
    if (gen !== generation) return;
    reportError(error);
  }
}

function reportError(error) {
  el.updated.classList.add('stale');
  if (error instanceof ApiError) {
    if (error.status === 401) return; // getJson showed the token message
    if (error.status === 400 && error.parameter) {
      const input = { since: el.since, until: el.until }[error.parameter];
      input?.setAttribute('aria-invalid', 'true');
      showBanner('error', h('strong', {}, `${error.parameter}: `), error.message);
      return;
    }
    showBanner('error', `The report API answered ${error.status}: ${error.message}`);
    return;
  }
  showBanner('error', `The report API did not answer (${error?.message ?? error}); retrying every ${REFRESH_MS / 1000} s.`);
}

// ---------------------------------------------------------------- rendering

/**
 * @param {RunsResponse['runs']} runs
 * @param {string} current
 */
function renderRuns(runs, current) {
  const options = runs.map((r) => ({ value: r.run, label: `${r.run} (${r.kind})` }));
  setOptions(el.run, options, state.run || current);
  const run = runs.find((r) => r.run === (state.run || current));
  setText(
    el.runMeta,
    run ? `${fmtDateTime(run.firstSeenAt)} → ${fmtDateTime(run.lastSeenAt)}` : 'no traffic yet',
  );
}

/** @param {SummaryResponse} s */
function renderSummary(s) {
  setText(byId('s-compared'), fmtInt(s.compared));
  setText(byId('s-mismatched'), fmtInt(s.mismatched));
  setText(byId('s-rate'), fmtRate(s.mismatchRate));
  setText(byId('s-shadow-errors'), fmtInt(s.shadowErrors));
  setText(byId('s-skipped'), fmtInt(s.skipped));
  setText(byId('s-dropped'), fmtInt(s.dropped));
  byId('s-shadow-errors').classList.toggle('alarm', s.shadowErrors > 0);
}

/** @param {(GateResponse & { error?: undefined }) | { error: Error, data?: undefined }} gate The verdict, or why there is none. */
function renderGate(gate) {
  if (gate.error) {
    const e = gate.error;
    el.verdict.className = 'verdict verdict-unknown';
    setText(el.verdict, 'not evaluated');
    const text = e instanceof ApiError && e.parameter ? `${e.parameter}: ${e.message}` : String(e.message ?? e);
    syncList(el.reasons, [text]);
    return;
  }
  const d = gate.data;
  el.verdict.className = `verdict verdict-${d.verdict}`;
  setText(el.verdict, d.verdict.toUpperCase());
  el.verdict.dataset.verdict = d.verdict;
  syncList(el.reasons, d.reasons);
}

function syncList(ul, texts) {
  while (ul.children.length > texts.length) ul.lastElementChild?.remove();
  texts.forEach((text, i) => {
    const li = ul.children[i] ?? ul.appendChild(h('li'));
    setText(li, text);
  });
}

/**
 * Keyed rows updated in place: a row keeps its element (and the focus inside it) across refreshes;
 * rows move only when the order changes.
 */
function syncRows(tbody, items, keyOf, build, update) {
  const existing = new Map([...tbody.rows].map((tr) => [tr.dataset.key, tr]));
  const keep = new Set();
  items.forEach((item, i) => {
    const key = keyOf(item);
    keep.add(key);
    let tr = existing.get(key);
    if (!tr) {
      tr = build(item);
      tr.dataset.key = key;
    }
    update(tr, item);
    const at = tbody.rows[i];
    if (at !== tr) tbody.insertBefore(tr, at ?? null);
  });
  for (const [key, tr] of existing) if (!keep.has(key)) tr.remove();
}

const cell = (cls, ...children) => h('td', { class: cls }, ...children);
const numCell = (cls) => cell(`num ${cls}`);
const setNum = (td, n) => {
  setText(td, fmtInt(n));
  td.classList.toggle('zero', n === 0);
};
const pair = (p, s) => `${fmtMs(p)} / ${fmtMs(s)}`;

function localLink(href, cls, text) {
  return h('a', { href, class: `local ${cls}` }, text);
}

/** Past --max-endpoints new templates count under OTHER: say so, and how to name them. */
/** @param {EndpointsResponse['endpointCap']} cap */
function renderEndpointCap(cap) {
  const reached = Boolean(cap && cap.reached);
  el.endpointCapNote.hidden = !reached;
  if (!reached) return;
  setText(
    el.endpointCapNote,
    `This run reached its cap of ${cap.max} endpoints: new path templates are counted under OTHER. ` +
      'If a path segment varies (a name, a search term), add a route rule for it, e.g. "routes: [{ pattern: /search/:term }]" (docs/rules.md).',
  );
}

/** @param {EndpointsResponse['endpoints']} endpoints */
function renderEndpoints(endpoints) {
  el.endpointsEmpty.hidden = endpoints.length > 0;
  syncRows(
    el.endpointsBody,
    endpoints,
    (e) => e.endpoint,
    (e) =>
      h(
        'tr',
        { dataset: { endpoint: e.endpoint } },
        cell('endpoint', localLink('', 'endpoint-link', e.endpoint)),
        numCell('compared'),
        numCell('mismatched'),
        cell('num rate', h('span', { class: 'rate-text' }), h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill' }))),
        numCell('by-risk-high'),
        numCell('by-risk-medium'),
        numCell('by-risk-low'),
        numCell('shadow-errors'),
        numCell('skipped'),
        numCell('p50'),
        numCell('p95'),
        numCell('p99'),
      ),
    (tr, e) => {
      const selected = state.endpoint === e.endpoint;
      tr.classList.toggle('selected', selected);
      const link = tr.querySelector('a');
      link.setAttribute('href', overviewHref({ ...state, endpoint: selected ? '' : e.endpoint, field: '' }));
      link.title = selected ? 'Show every endpoint' : `Filter on ${e.endpoint}`;
      if (selected) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
      const [, compared, mismatched, rate, high, medium, low, shadowErrors, skipped, p50, p95, p99] = tr.cells;
      setNum(compared, e.compared);
      setNum(mismatched, e.mismatched);
      setText(rate.querySelector('.rate-text'), fmtRate(e.mismatchRate));
      rate.querySelector('.bar-fill').style.width = `${Math.min(100, e.mismatchRate * 100)}%`;
      rate.classList.toggle('zero', e.mismatched === 0);
      setNum(high, e.byRisk.high);
      setNum(medium, e.byRisk.medium);
      setNum(low, e.byRisk.low);
      setNum(shadowErrors, e.shadowErrors);
      shadowErrors.classList.toggle('alarm', e.shadowErrors > 0);
      setNum(skipped, e.skipped);
      setText(p50, pair(e.latency.primary.p50, e.latency.shadow.p50));
      setText(p95, pair(e.latency.primary.p95, e.latency.shadow.p95));
      setText(p99, pair(e.latency.primary.p99, e.latency.shadow.p99));
    },
  );
  setOptions(el.endpoint, [{ value: '', label: 'All endpoints' }, ...endpoints.map((e) => ({ value: e.endpoint, label: e.endpoint }))], state.endpoint);
}

/**
 * Fields grouped by endpoint (in the endpoints' order, or the selected endpoint alone); within an
 * endpoint real fields first, most mismatches first, then noise (the API's order).
 */
/** @param {EndpointsResponse['endpoints']} endpoints */
/** @returns {Array<{ group: true, endpoint: string, count: number } | (EndpointsResponse['endpoints'][number]['fields'][number] & { endpoint: string, group?: undefined })>} */
function fieldRows(endpoints) {
  const scoped = state.endpoint ? endpoints.filter((e) => e.endpoint === state.endpoint) : endpoints;
  return scoped
    .filter((e) => e.fields.length > 0)
    .flatMap((e) => [{ group: true, endpoint: e.endpoint, count: e.fields.length }, ...e.fields.map((f) => ({ ...f, endpoint: e.endpoint }))]);
}

/** @param {EndpointsResponse['endpoints']} endpoints */
function renderFields(endpoints) {
  const rows = fieldRows(endpoints);
  setText(el.fieldsScope, state.endpoint || 'all endpoints');
  el.fieldsEmpty.hidden = rows.length > 0;
  syncRows(
    el.fieldsBody,
    rows,
    (f) => (f.group ? `group\u0000${f.endpoint}` : `${f.endpoint}\u0000${f.path}`),
    (f) =>
      f.group
        ? h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: '5' }, localLink('', 'endpoint-link', f.endpoint)))
        : h(
            'tr',
            { dataset: { path: f.path, endpoint: f.endpoint } },
            cell('path', localLink('', 'field-link', f.path)),
            numCell('mismatches'),
            numCell('shadow-diffs'),
            numCell('secondary-diffs'),
            cell('noise-flag'),
          ),
    (tr, f) => {
      if (f.group) {
        const link = tr.querySelector('a');
        const selected = state.endpoint === f.endpoint;
        link.setAttribute('href', overviewHref({ ...state, endpoint: selected ? '' : f.endpoint, field: '' }));
        link.title = selected ? 'Show every endpoint' : `Filter on ${f.endpoint}`;
        return;
      }
      const selected = state.field === f.path && (!state.endpoint || state.endpoint === f.endpoint);
      tr.classList.toggle('selected', selected);
      tr.classList.toggle('noise', f.noise);
      const link = tr.querySelector('a');
      link.setAttribute('href', overviewHref({ ...state, endpoint: f.endpoint, field: selected ? '' : f.path }));
      link.title = selected ? 'Show every field' : `Discrepancies differing at ${f.path}`;
      const [, mismatches, shadowDiffs, secondaryDiffs, flag] = tr.cells;
      setNum(mismatches, f.mismatches);
      setNum(shadowDiffs, f.shadowDiffs);
      setNum(secondaryDiffs, f.secondaryDiffs);
      if (f.noise !== (flag.dataset.noise === 'true')) {
        flag.replaceChildren(f.noise ? h('span', { class: 'badge badge-noise', title: 'the secondary differs here as often: noise, not counted' }, 'noise') : '');
        flag.dataset.noise = String(f.noise);
      }
    },
  );
  const seen = new Set();
  const options = [{ value: '', label: 'All fields' }];
  const fields = rows.filter((f) => !f.group);
  for (const f of [...fields.filter((x) => !x.noise), ...fields.filter((x) => x.noise)]) {
    if (seen.has(f.path)) continue;
    seen.add(f.path);
    options.push({ value: f.path, label: f.noise ? `${f.path} (noise)` : f.path, muted: f.noise });
  }
  setOptions(el.field, options, state.field);
}

/** @param {DiscrepancyListResponse} list */
function renderList(list) {
  const items = list.items;
  const filtered = Boolean(state.field || state.risk);
  const more = list.nextCursor ? ' · more available' : '';
  setText(el.listCount, filtered ? `${items.length} latest that match${more}` : `${items.length} latest${more}`);
  el.listEmpty.hidden = items.length > 0;
  el.more.hidden = !list.nextCursor || PAGE_SIZE * pages >= MAX_LIMIT;
  syncRows(
    el.listBody,
    items,
    (d) => d.id,
    (d) =>
      h(
        'tr',
        { dataset: { id: d.id } },
        cell('time', h('time', { datetime: d.createdAt, title: fmtDateTime(d.createdAt) }, fmtWhen(d.createdAt))),
        cell(
          'request',
          h('a', { class: 'discrepancy-link', href: '' }, h('span', { class: 'method' }, d.method), ' ', h('span', { class: 'url' }, d.url)),
          h('div', { class: 'endpoint muted' }, d.endpoint),
        ),
        cell('status', statusBadge(d.primaryStatus), h('span', { class: 'arrow', 'aria-label': 'then shadow' }, ' → '), statusBadge(d.shadowStatus)),
        cell('risk'),
        cell('paths', ...pathsOf(d.paths)),
      ),
    (tr, d) => {
      tr.querySelector('a').setAttribute('href', discrepancyHref(d.id, state));
      tr.classList.toggle('shadow-failed', d.shadowStatus === null || d.shadowStatus >= 500);
      updateRiskCell(tr, d.risk);
    },
  );
}

function pathsOf(paths) {
  const shown = paths.slice(0, 3).map((p) => h('code', { class: 'path' }, p));
  return paths.length > 3 ? [...shown, h('span', { class: 'muted' }, ` +${paths.length - 3} more`)] : shown;
}

/** The risk after noise, as the list gives it. */
function updateRiskCell(tr, risk) {
  const td = tr.cells[3];
  if (td.dataset.risk === risk) return;
  td.dataset.risk = risk;
  td.replaceChildren(risk ? riskBadge(risk) : h('span', { class: 'muted' }, '…'));
}

// ---------------------------------------------------------------- events

el.endpoint.addEventListener('change', () => navigate({ ...state, endpoint: el.endpoint.value, field: '' }));
el.field.addEventListener('change', () => navigate({ ...state, field: el.field.value }));
el.risk.addEventListener('change', () => navigate({ ...state, risk: el.risk.value }));
el.run.addEventListener('change', () => navigate({ ...state, run: el.run.value, endpoint: '', field: '' }));
const applyWindow = () => {
  const since = el.since.value.trim();
  const until = el.until.value.trim();
  if (since !== state.since || until !== state.until) navigate({ ...state, since, until });
};
el.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  applyWindow();
});
el.since.addEventListener('change', applyWindow);
el.until.addEventListener('change', applyWindow);
el.clear.addEventListener('click', () =>
  navigate({ run: state.run, maxMismatchRate: state.maxMismatchRate, minSamples: state.minSamples, endpoint: '', field: '', risk: '', since: '', until: '' }),
);

let thresholdTimer = null;
const applyThresholds = () => {
  clearTimeout(thresholdTimer);
  thresholdTimer = setTimeout(() => {
    if (!el.maxRate.checkValidity() || !el.minSamples.checkValidity() || !el.maxRate.value || !el.minSamples.value) return;
    const next = { ...state, maxMismatchRate: el.maxRate.value, minSamples: el.minSamples.value };
    if (next.maxMismatchRate === state.maxMismatchRate && next.minSamples === state.minSamples) return;
    // Thresholds replace the history entry: typing a number is not a navigation.
    state = next;
    history.replaceState(null, '', overviewHref(state));
    generation++;
    void refresh();
  }, 250);
};
el.maxRate.addEventListener('input', applyThresholds);
el.minSamples.addEventListener('input', applyThresholds);
el.thresholds.addEventListener('submit', (event) => event.preventDefault());

el.more.addEventListener('click', () => {
  pages++;
  generation++;
  void refresh();
});

el.pause.addEventListener('click', () => {
  paused = !paused;
  el.pause.setAttribute('aria-pressed', String(paused));
  setText(el.pause, paused ? 'Resume' : 'Pause');
  el.pause.title = paused ? 'Refresh every 5 s again' : 'Stop refreshing every 5 s';
  el.updated.classList.toggle('paused', paused);
  if (!paused) void refresh();
});

// In-page links (endpoints, fields) change the state without reloading the page.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a.local') : null;
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const next = readState(new URL(/** @type {HTMLAnchorElement} */ (link).href).search);
  navigate(next);
});

// A click anywhere on a row opens its link, as Enter on the link does.
for (const tbody of [el.endpointsBody, el.fieldsBody, el.listBody]) {
  tbody.addEventListener('click', (event) => {
    if (!(event.target instanceof Element) || event.target.closest('a, button, input, select')) return;
    if (document.getSelection()?.toString()) return; // selecting text is not a click on the row
    event.target.closest('tr')?.querySelector('a')?.click();
  });
}

window.addEventListener('popstate', () => {
  state = stateFromUrl();
  pages = 1;
  generation++;
  syncControls();
  void refresh();
});

// `/` focuses the endpoint filter, unless typing somewhere.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof Element && (target.closest('input, textarea, select, [contenteditable]') || /** @type {HTMLElement} */ (target).isContentEditable)) return;
  event.preventDefault();
  el.endpoint.focus();
});

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !paused) void refresh();
});

setInterval(() => {
  if (!paused && document.visibilityState === 'visible') void refresh();
}, REFRESH_MS);

syncControls();
void refresh();
