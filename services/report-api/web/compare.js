// @ts-check
/* global document, location, URLSearchParams */
/**
 * The comparison page (`/compare?base=&head=`): what the head run fixed or broke against the base
 * run, new fields first, then fixed, then persisting, then the endpoints' rates. The URL holds
 * the state; picking runs submits the form (a plain GET of this page).
 */
import { ApiError, byId, fmtInt, fmtRate, getJson, h, hideBanner, overviewHref, setText, showBanner } from './api.js';

/** @typedef {import('./api-types.js').RunsResponse} RunsResponse */
/** @typedef {import('./api-types.js').CompareResponse} CompareResponse */

const params = new URLSearchParams(location.search);
const state = { base: params.get('base') ?? '', head: params.get('head') ?? '' };

/**
 * @param {HTMLSelectElement} select
 * @param {RunsResponse['runs']} runs
 * @param {string} selected
 */
function setRunOptions(select, runs, selected) {
  const names = runs.map((r) => r.run);
  if (selected && !names.includes(selected)) names.push(selected);
  select.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
  if (selected) select.value = selected;
}

/** The run view filtered on the field: its discrepancies are one click away. */
const fieldLink = (run, endpoint, path) => h('a', { href: overviewHref({ run, endpoint, field: path }) }, h('code', { class: 'path' }, path));

const COLUMNS = {
  new: ['Endpoint', 'Field', 'Head mismatches'],
  fixed: ['Endpoint', 'Field', 'Base mismatches'],
  persisting: ['Endpoint', 'Field', 'Base mismatches', 'Head mismatches'],
};

function renderGroup(status, rows) {
  const table = byId(`t-${status}`);
  table.tHead.replaceChildren(h('tr', {}, ...COLUMNS[status].map((c, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null }, c))));
  table.tBodies[0].replaceChildren(
    ...rows.map(({ endpoint, field }) => {
      const run = status === 'fixed' ? state.base : state.head;
      const counts = status === 'new' ? [field.headMismatches] : status === 'fixed' ? [field.baseMismatches] : [field.baseMismatches, field.headMismatches];
      return h(
        'tr',
        { class: `status-${status}`, dataset: { status, path: field.path, endpoint } },
        h('td', { class: 'endpoint' }, endpoint),
        h('td', { class: 'path' }, fieldLink(run, endpoint, field.path)),
        ...counts.map((n) => h('td', { class: 'num' }, fmtInt(n))),
      );
    }),
  );
  byId(`e-${status}`).hidden = rows.length > 0;
  setText(byId(`n-${status}`), fmtInt(rows.length));
}

const PRESENCE = { both: 'both runs', base: 'only in base', head: 'only in head' };

/** @param {CompareResponse['endpoints']} endpoints */
function renderEndpoints(endpoints) {
  const table = byId('t-endpoints');
  table.tHead.replaceChildren(
    h('tr', {}, ...['Endpoint', 'Seen in', 'Base compared', 'Base rate', 'Head compared', 'Head rate', 'New', 'Fixed'].map((c, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null }, c))),
  );
  table.tBodies[0].replaceChildren(
    ...endpoints.map((e) => {
      const n = (status) => e.fields.filter((f) => f.status === status).length;
      return h(
        'tr',
        { dataset: { endpoint: e.endpoint, presence: e.presence } },
        h('td', { class: 'endpoint' }, e.endpoint),
        h('td', { class: e.presence === 'both' ? 'muted' : 'presence-one' }, PRESENCE[e.presence] ?? e.presence),
        h('td', { class: 'num' }, fmtInt(e.base.compared)),
        h('td', { class: 'num' }, fmtRate(e.base.mismatchRate)),
        h('td', { class: 'num' }, fmtInt(e.head.compared)),
        h('td', { class: 'num' }, fmtRate(e.head.mismatchRate)),
        h('td', { class: 'num' }, fmtInt(n('new'))),
        h('td', { class: 'num' }, fmtInt(n('fixed'))),
      );
    }),
  );
}

/**
 * @param {CompareResponse['endpoints']} endpoints
 * @param {'base' | 'head'} side
 */
const overall = (endpoints, side) => {
  const compared = endpoints.reduce((a, e) => a + e[side].compared, 0);
  const mismatched = endpoints.reduce((a, e) => a + e[side].mismatched, 0);
  return compared === 0 ? 0 : mismatched / compared;
};

/** @param {CompareResponse} comparison */
function render(comparison) {
  for (const status of ['new', 'fixed', 'persisting']) {
    const rows = comparison.endpoints.flatMap((e) => e.fields.filter((f) => f.status === status).map((field) => ({ endpoint: e.endpoint, field })));
    renderGroup(status, rows);
  }
  renderEndpoints(comparison.endpoints);
  setText(byId('r-base'), fmtRate(overall(comparison.endpoints, 'base')));
  setText(byId('r-head'), fmtRate(overall(comparison.endpoints, 'head')));
  document.title = `${comparison.head} vs ${comparison.base} · shadow-diff report`;
}

async function load() {
  const main = byId('main');
  try {
    /** @type {RunsResponse} */
    const { runs } = await getJson('/api/v1/runs');
    // Defaults: the newest run as the head, the one before it as the base.
    state.head ||= runs[0]?.run ?? '';
    state.base ||= runs.find((r) => r.run !== state.head)?.run ?? '';
    setRunOptions(byId('base'), runs, state.base);
    setRunOptions(byId('head'), runs, state.head);
    byId('back').setAttribute('href', overviewHref({ run: state.head }));
    if (!state.base || !state.head) {
      showBanner('error', 'Two runs are needed to compare: replay captured traffic against a candidate first.');
      return;
    }
    render(/** @type {CompareResponse} */ (await getJson('/api/v1/runs/compare', { base: state.base, head: state.head })));
    hideBanner();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // getJson showed the token message
    const text = error instanceof ApiError ? `The report API answered ${error.status}: ${error.message}` : `The report API did not answer (${error?.message ?? error}).`;
    showBanner('error', text);
  } finally {
    main.removeAttribute('aria-busy');
  }
}

byId('swap').addEventListener('click', () => {
  const base = byId('base');
  const head = byId('head');
  [base.value, head.value] = [head.value, base.value];
  byId('pick').requestSubmit();
});

void load();
