// @ts-check
/* global document, location, console */
/**
 * One discrepancy (`/discrepancies/:id`): the request, primary and shadow side by side, the
 * differences, a visual JSON diff (jsondiffpatch's HTML formatter) and the line diff of text bodies.
 */
import {
  ApiError,
  byId,
  escapeControls,
  escapedNodes,
  escapeTextNodes,
  fmtDateTime,
  fmtInt,
  fmtMs,
  fmtValue,
  getJson,
  h,
  overviewHref,
  readState,
  riskBadge,
  setText,
  showBanner,
  statusBadge,
} from './api.js';

/** @typedef {import('./api-types.js').DiscrepancyDetailResponse} DiscrepancyDetailResponse */

const id = decodeURIComponent(location.pathname.replace(/^\/discrepancies\//, '').replace(/\/+$/, ''));
const state = readState();

async function main() {
  setText(byId('crumb-id'), shortId(id));
  byId('back').setAttribute('href', overviewHref(state));
  /** @type {DiscrepancyDetailResponse} */
  let d;
  try {
    d = await getJson(`/api/v1/discrepancies/${encodeURIComponent(id)}`);
  } catch (error) {
    byId('main').setAttribute('aria-busy', 'false');
    setText(byId('d-meta'), '');
    if (error instanceof ApiError && error.status === 401) return; // the token message is shown
    if (error instanceof ApiError && error.status === 404) {
      showBanner('error', `No discrepancy ${id}: a wrong link, or its details were purged by the retention.`);
    } else {
      showBanner('error', `The report API did not answer: ${error?.message ?? error}`);
    }
    return;
  }
  try {
    render(d);
  } catch (error) {
    console.error('the discrepancy could not be shown', error);
    showBanner('error', `Part of this discrepancy could not be shown (${describeError(error)}); the API has it whole at /api/v1/discrepancies/${id}.`);
  }
  byId('main').setAttribute('aria-busy', 'false');
  await renderVisualDiff(d);
}

const describeError = (error) => `${error?.name ?? 'Error'}: ${error?.message ?? error}`;

/** Fills a panel with what build() returns; if it throws, the panel says so instead of staying empty. */
function fill(el, build) {
  try {
    el.replaceChildren(...build());
  } catch (error) {
    console.error('a panel could not be shown', error);
    el.replaceChildren(renderError(`This part could not be shown (${describeError(error)}).`));
  }
}

const renderError = (text) => h('p', { class: 'render-error', role: 'alert' }, text);

const shortId = (value) => (value.length > 18 ? `${value.slice(0, 8)}…${value.slice(-6)}` : value);

/** @param {DiscrepancyDetailResponse} d */
function render(d) {
  const view = { ...state, run: state.run || d.run };
  byId('back').setAttribute('href', overviewHref(view));
  setText(byId('back'), `← Run ${view.run}`);
  const endpointCrumb = byId('crumb-endpoint');
  endpointCrumb.setAttribute('href', overviewHref({ ...view, endpoint: d.endpoint, field: '' }));
  setText(endpointCrumb, d.endpoint);
  document.title = escapeControls(`${d.request.method} ${d.request.url} · discrepancy · shadow-diff`);

  setText(byId('d-title'), `${d.request.method} ${d.request.url}`);
  byId('d-risk').replaceChildren(riskBadge(d.risk));
  setText(byId('d-meta'), `${d.endpoint} · run ${d.run} · compared ${d.createdAt ? fmtDateTime(d.createdAt) : '—'} · id ${d.id}`);

  const alert = byId('d-alert');
  if (d.shadow.error || d.shadow.status === null || d.shadow.status >= 500) {
    alert.hidden = false;
    alert.className = 'alert alert-danger';
    alert.replaceChildren(
      h('strong', {}, 'Shadow failure: '),
      d.shadow.error ? `the shadow failed (${d.shadow.error}).` : `the shadow answered ${d.shadow.status} where the primary answered ${d.primary.status}.`,
    );
  } else if (d.primary.status >= 500) {
    alert.hidden = false;
    alert.className = 'alert alert-warn';
    alert.replaceChildren(h('strong', {}, 'Primary error: '), `the primary answered ${d.primary.status}.`);
  }

  // Request
  setText(byId('r-line'), `${d.request.method} ${d.request.url}`);
  const reqHeaders = Object.entries(d.request.headers ?? {});
  setText(byId('r-headers-count'), `(${reqHeaders.length})`);
  fill(byId('r-headers').tBodies[0], () => headerRows(reqHeaders, new Set()));
  fill(byId('r-body'), () => (d.request.body === null || d.request.body === '' ? [] : [bodyBlock(d.request, 'Request body')]));

  // Primary and shadow
  const headerDiffs = new Set(d.differences.filter((x) => x.path.startsWith('header.')).map((x) => x.path.slice('header.'.length).toLowerCase()));
  const statusDiffers = d.differences.some((x) => x.path === 'status' || x.kind === 'shadow_error');
  fill(byId('primary').querySelector('.side-body'), () => sideBody(d.primary, headerDiffs, statusDiffers, marksFor(d.differences, 'primary')));
  fill(byId('shadow').querySelector('.side-body'), () => sideBody(d.shadow, headerDiffs, statusDiffers, marksFor(d.differences, 'shadow')));
  byId('legend').hidden = !(parseJson(d.primary.body).ok || parseJson(d.shadow.body).ok);
  byId('shadow').classList.toggle('failed', Boolean(d.shadow.error) || d.shadow.status === null || d.shadow.status >= 500);

  // Differences
  const counting = d.differences.filter((x) => !x.noise).length;
  setText(
    byId('differences-count'),
    `${d.differences.length} · ${counting} counting${d.differences.length > counting ? `, ${d.differences.length - counting} noise` : ''}`,
  );
  const rows = [...d.differences].sort((a, b) => Number(a.noise) - Number(b.noise));
  const truncated = byId('differences-truncated');
  truncated.hidden = !d.differencesTruncated;
  if (d.differencesTruncated) {
    setText(truncated, `Showing the first ${d.differences.length} of ${d.differencesTotal} differences (by risk, then path).`);
  }
  fill(byId('differences-table').tBodies[0], () =>
    rows.map((x) =>
      h(
        'tr',
        { class: x.noise ? 'noise' : null, dataset: { path: x.path } },
        h('td', { class: 'path' }, h('code', {}, clip(x.path))),
        h('td', { class: 'kind' }, x.kind),
        h('td', { class: 'risk' }, riskBadge(x.risk)),
        h('td', { class: 'value value-primary' }, h('code', {}, x.kind === 'field_added' ? '(absent)' : clip(fmtValue(x.primary)))),
        h('td', { class: 'value value-shadow' }, h('code', {}, x.kind === 'field_removed' ? '(absent)' : clip(fmtValue(x.shadow)))),
        h('td', { class: 'noise-flag' }, x.noise ? h('span', { class: 'badge badge-noise' }, 'noise') : ''),
      ),
    ),
  );

  // Line diffs of text bodies
  const texts = d.differences.filter((x) => typeof x.detail === 'string' && x.detail.length > 0);
  if (texts.length > 0) {
    byId('text-diff').hidden = false;
    fill(byId('line-diffs'), () => texts.map((x) => h('div', { class: 'linediff-box' }, h('div', { class: 'muted' }, h('code', {}, x.path), ` · ${x.kind}`), lineDiff(x.detail))));
  }

  // Secondary
  if (d.secondary) {
    byId('secondary').hidden = false;
    const secRows = d.secondaryDifferences.map((x) =>
      h(
        'tr',
        {},
        h('td', { class: 'path' }, h('code', {}, x.path)),
        h('td', { class: 'kind' }, x.kind),
        h('td', { class: 'value' }, h('code', {}, clip(fmtValue(x.primary)))),
        h('td', { class: 'value' }, h('code', {}, clip(fmtValue(x.secondary)))),
      ),
    );
    byId('secondary-body').replaceChildren(
      h(
        'p',
        {},
        'Status ',
        statusBadge(d.secondary.status),
        ` · ${fmtMs(d.secondary.latencyMs)} ms`,
        d.secondary.error ? ` · error: ${d.secondary.error}` : '',
        ` · ${d.secondaryDifferences.length} difference(s) from the primary`,
      ),
      secRows.length > 0
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'data secondary-differences' },
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Path'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Primary'), h('th', { scope: 'col' }, 'Secondary'))),
              h('tbody', {}, ...secRows),
            ),
          )
        : h('p', { class: 'muted' }, 'The secondary answered exactly as the primary.'),
    );
  }
}

const clip = (text, max = 600) => (text.length > max ? `${text.slice(0, max)}… (${fmtInt(text.length)} characters)` : text);

function headerRows(entries, highlighted) {
  return entries
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) =>
      h(
        'tr',
        { class: highlighted.has(name.toLowerCase()) ? 'differs' : null },
        h('th', { scope: 'row' }, name),
        h('td', {}, Array.isArray(value) ? value.join(', ') : String(value)),
      ),
    );
}

function sideBody(side, headerDiffs, statusDiffers, marks) {
  const headers = Object.entries(side.headers ?? {});
  const differing = headers.filter(([name]) => headerDiffs.has(name.toLowerCase())).length;
  return [
    h(
      'dl',
      { class: 'facts' },
      h('div', { class: statusDiffers ? 'differs' : null }, h('dt', {}, 'Status'), h('dd', { class: 'status' }, statusBadge(side.status))),
      h('div', {}, h('dt', {}, 'Latency'), h('dd', { class: 'latency' }, side.latencyMs === null || side.latencyMs === undefined ? '—' : `${fmtMs(side.latencyMs)} ms`)),
      h('div', {}, h('dt', {}, 'Body'), h('dd', {}, side.bodySize === undefined ? '—' : `${fmtInt(side.bodySize)} bytes`)),
      side.error ? h('div', { class: 'differs' }, h('dt', {}, 'Error'), h('dd', { class: 'error' }, side.error)) : null,
    ),
    h(
      'details',
      { class: 'headers-box', open: differing > 0 },
      h('summary', {}, 'Headers ', h('span', { class: 'muted' }, `(${headers.length}${differing ? `, ${differing} differ` : ''})`)),
      h('div', { class: 'table-scroll' }, h('table', { class: 'data headers' }, h('tbody', {}, ...headerRows(headers, headerDiffs)))),
    ),
    bodyBlock(side, 'Body', marks),
  ];
}

/**
 * What to highlight in one side's JSON body: each JSON difference's path with its class (changed,
 * removed on the primary, added on the shadow; noise muted). Non-noise wins over noise.
 */
function marksFor(differences, sideName) {
  const marks = [];
  for (const x of differences) {
    if (!x.path.startsWith('$')) continue;
    if (x.kind === 'field_added' && sideName === 'primary') continue;
    if (x.kind === 'field_removed' && sideName === 'shadow') continue;
    const cls = x.noise ? 'noise' : x.kind === 'field_removed' ? 'del' : x.kind === 'field_added' ? 'add' : 'chg';
    marks.push({ path: x.path, cls, title: `${x.path}: ${x.kind}${x.noise ? ' (noise)' : ''}` });
  }
  return marks.sort((a, b) => Number(a.cls === 'noise') - Number(b.cls === 'noise'));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** As the comparator writes paths: `.name` for identifiers, `['any key']` otherwise. */
const keySegment = (key) => (IDENTIFIER.test(key) ? `.${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`);

/** Deeper containers are folded (`{…}`): deeper indentation says nothing and grows quadratically. */
const FOLD_DEPTH = 100;

/**
 * JSON.stringify(value, null, 2), line by line, each line with the path of the value it shows.
 * Iterative, so any depth the API returns renders; containers past FOLD_DEPTH are one folded line.
 */
function prettyLines(value) {
  const lines = [];
  let folded = 0;
  /** @type {Array<{ close: string, path: string } | { close?: undefined, v: any, path: string, depth: number, prefix: string, comma: string }>} */
  const todo = [{ v: value, path: '$', depth: 0, prefix: '', comma: '' }];
  while (todo.length > 0) {
    const t = /** @type {NonNullable<ReturnType<typeof todo.pop>>} */ (todo.pop());
    if (t.close !== undefined) {
      lines.push({ text: t.close, path: t.path });
      continue;
    }
    const { v, path, depth, prefix, comma } = t;
    const pad = '  '.repeat(depth);
    if (v === null || typeof v !== 'object') {
      lines.push({ text: `${pad}${prefix}${JSON.stringify(v) ?? 'null'}${comma}`, path });
      continue;
    }
    const isArray = Array.isArray(v);
    const keys = /** @type {string[]} */ (isArray ? null : Object.keys(v));
    const n = isArray ? v.length : keys.length;
    const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
    if (n === 0 || depth >= FOLD_DEPTH) {
      if (n > 0) folded++;
      lines.push({ text: `${pad}${prefix}${open}${n > 0 ? '…' : ''}${close}${comma}`, path, folded: n > 0 });
      continue;
    }
    lines.push({ text: `${pad}${prefix}${open}`, path });
    todo.push({ close: `${pad}${close}${comma}`, path });
    for (let i = n - 1; i >= 0; i--) {
      const [segment, label, child] = isArray ? [`[${i}]`, '', v[i]] : [keySegment(keys[i]), `${JSON.stringify(keys[i])}: `, v[keys[i]]];
      todo.push({ v: child, path: path + segment, depth: depth + 1, prefix: label, comma: i < n - 1 ? ',' : '' });
    }
  }
  return { lines, folded };
}

/** How deep a JSON value nests (iterative). */
function depthOf(value) {
  let max = 0;
  /** @type {Array<[any, number]>} */
  const todo = [[value, 0]];
  while (todo.length > 0) {
    const [v, d] = /** @type {[any, number]} */ (todo.pop());
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') todo.push([child, d + 1]);
  }
  return max;
}

const anyIndex = (path) => path.replace(/\[\d+\]/g, '[*]');
const within = (path, base) => path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);

/** A line's path is at or under a difference's path (`[*]` in the difference matches any index). */
function under(linePath, diffPath) {
  return within(diffPath.includes('[*]') ? anyIndex(linePath) : linePath, diffPath);
}

/** A folded line hides a difference: the difference's path is under the line's. */
function hides(linePath, diffPath) {
  return diffPath.includes('[*]') ? within(diffPath, anyIndex(linePath)) : within(diffPath, linePath);
}

/** Pretty JSON with the differing lines highlighted; unmarked past 20,000 lines. */
function markedJson(value, marks) {
  const { lines, folded } = prettyLines(value);
  const pre = h('pre', { class: lines.length > 20_000 ? 'body' : 'body marked', tabindex: '0' });
  if (lines.length > 20_000) {
    pre.append(...escapedNodes(lines.map((line) => line.text).join('\n')));
  } else {
    for (const line of lines) {
      const mark = marks.find((m) => under(line.path, m.path) || (line.folded && hides(line.path, m.path)));
      pre.append(h('span', { class: mark ? `jl jl-${mark.cls}` : 'jl', title: mark?.title }, `${line.text}\n`));
    }
  }
  return { pre, folded };
}

/** A stored body: pretty JSON when it parses, text, or base64 for bytes; truncation said. */
function bodyBlock(b, label, marks = []) {
  const notes = [];
  if (b.bodyTruncated) notes.push(`truncated: ${fmtInt(b.bodySize)} bytes in all`);
  if (b.body === null || b.body === undefined) {
    return h('div', { class: 'body-box' }, h('div', { class: 'body-label' }, label), h('p', { class: 'muted' }, b.bodySize ? 'not kept' : '(no body)'));
  }
  let content = null;
  if (b.bodyEncoding === 'base64') notes.push('binary, shown as base64');
  else {
    try {
      const parsed = parseJson(b.body);
      if (parsed.ok) content = jsonContent(parsed.value, marks, b.body);
    } catch (error) {
      console.error('a body could not be shown as JSON', error);
      content = [renderError(`This body could not be shown as JSON (${describeError(error)}); its text follows.`), h('pre', { class: 'body raw-body', tabindex: '0' }, b.body)];
    }
  }
  return h(
    'div',
    { class: 'body-box' },
    h('div', { class: 'body-label' }, label, notes.length ? h('span', { class: 'muted' }, ` · ${notes.join(' · ')}`) : null),
    content ?? h('pre', { class: 'body', tabindex: '0' }, b.body),
  );
}

/** Pretty JSON; when something was folded, a note saying so and the raw text in full below. */
function jsonContent(value, marks, raw) {
  const { pre, folded } = markedJson(value, marks);
  if (folded === 0) return pre;
  return [
    h('p', { class: 'fold-note' }, `Nested deeper than ${FOLD_DEPTH} levels: ${fmtInt(folded)} deeper value(s) folded as {…} or […]; the raw body below has them.`),
    pre,
    h('details', { class: 'raw-box' }, h('summary', {}, 'Raw body'), h('pre', { class: 'raw-body', tabindex: '0' }, raw)),
  ];
}

function parseJson(text) {
  if (typeof text !== 'string') return { ok: false };
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

/** A unified diff (`--- primary`, `+++ shadow`, `@@`, `-`, `+`), one coloured line each. */
function lineDiff(detail) {
  const pre = h('pre', { class: 'linediff', tabindex: '0' });
  for (const line of detail.replace(/\n$/, '').split('\n')) {
    const kind = line.startsWith('+++') || line.startsWith('---')
      ? 'file'
      : line.startsWith('@@')
        ? 'hunk'
        : line.startsWith('+')
          ? 'add'
          : line.startsWith('-')
            ? 'del'
            : line.startsWith('\\') || line.startsWith('…')
              ? 'note'
              : 'ctx';
    pre.append(h('span', { class: `ld ld-${kind}` }, line === '' ? ' ' : line));
  }
  return pre;
}

/**
 * jsondiffpatch's HTML formatter on the two JSON bodies, loaded from /assets/jsondiffpatch/ (its lib/
 * folder, plain ES modules). Long strings get a character diff when diff-match-patch loads too.
 */
async function renderVisualDiff(d) {
  if (d.primary.bodyEncoding === 'base64' || d.shadow.bodyEncoding === 'base64') return;
  const left = parseJson(d.primary.body);
  const right = parseJson(d.shadow.body);
  if (!left.ok || !right.ok) return;
  const section = byId('visual');
  const target = byId('visual-diff');
  section.hidden = false;
  const depth = Math.max(depthOf(left.value), depthOf(right.value));
  if (depth > FOLD_DEPTH) {
    target.replaceChildren(h('p', { class: 'muted' }, `The bodies nest ${fmtInt(depth)} levels deep, more than the ${FOLD_DEPTH} the visual diff draws; the differences table above is complete.`));
    return;
  }
  try {
    const [jsondiffpatch, htmlFormatter] = await Promise.all([
      import('/assets/jsondiffpatch/index.js'),
      import('/assets/jsondiffpatch/formatters/html.js'),
    ]);
    const textDiff = await import('/assets/diff-match-patch/index.js').then(
      (m) => ({ diffMatchPatch: m.diff_match_patch, minLength: 60 }),
      () => undefined,
    );
    const differ = jsondiffpatch.create({
      objectHash: (/** @type {any} */ item, index) => item?.id ?? item?.key ?? item?.name ?? `$$index:${index}`,
      arrays: { detectMove: false },
      ...(textDiff ? { textDiff } : {}),
    });
    const delta = differ.diff(left.value, right.value);
    if (delta === undefined) {
      target.replaceChildren(h('p', { class: 'muted' }, 'The bodies are equal: the differences are in the status or the headers.'));
      return;
    }
    target.innerHTML = htmlFormatter.format(delta, left.value) ?? '';
    escapeTextNodes(target);
    const toggle = byId('show-unchanged');
    const apply = () => htmlFormatter.showUnchanged(toggle.checked, target);
    toggle.addEventListener('change', apply);
    apply();
  } catch (error) {
    console.error('the visual diff could not be drawn', error);
    target.replaceChildren(renderError(`The visual diff could not be drawn (${describeError(error)}); the differences table above is complete.`));
  }
}

void main();
