/* global document, location, console */
/**
 * One discrepancy (`/discrepancies/:id`): the request, primary and shadow side by side, the
 * differences, a visual JSON diff (jsondiffpatch's HTML formatter) and the line diff of text bodies.
 */
import {
  ApiError,
  byId,
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

const id = decodeURIComponent(location.pathname.replace(/^\/discrepancies\//, '').replace(/\/+$/, ''));
const state = readState();

async function main() {
  setText(byId('crumb-id'), shortId(id));
  byId('back').setAttribute('href', overviewHref(state));
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
  render(d);
  byId('main').setAttribute('aria-busy', 'false');
  await renderVisualDiff(d);
}

const shortId = (value) => (value.length > 18 ? `${value.slice(0, 8)}…${value.slice(-6)}` : value);

function render(d) {
  const view = { ...state, run: state.run || d.run };
  byId('back').setAttribute('href', overviewHref(view));
  setText(byId('back'), `← Run ${view.run}`);
  const endpointCrumb = byId('crumb-endpoint');
  endpointCrumb.setAttribute('href', overviewHref({ ...view, endpoint: d.endpoint, field: '' }));
  setText(endpointCrumb, d.endpoint);
  document.title = `${d.request.method} ${d.request.url} · discrepancy · shadow-diff`;

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
  byId('r-headers').tBodies[0].replaceChildren(...headerRows(reqHeaders, new Set()));
  byId('r-body').replaceChildren(...(d.request.body === null || d.request.body === '' ? [] : [bodyBlock(d.request, 'Request body')]));

  // Primary and shadow
  const headerDiffs = new Set(d.differences.filter((x) => x.path.startsWith('header.')).map((x) => x.path.slice('header.'.length).toLowerCase()));
  const statusDiffers = d.differences.some((x) => x.path === 'status' || x.kind === 'shadow_error');
  byId('primary').querySelector('.side-body').replaceChildren(...sideBody(d.primary, headerDiffs, statusDiffers, marksFor(d.differences, 'primary')));
  byId('shadow').querySelector('.side-body').replaceChildren(...sideBody(d.shadow, headerDiffs, statusDiffers, marksFor(d.differences, 'shadow')));
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
  byId('differences-table').tBodies[0].replaceChildren(
    ...rows.map((x) =>
      h(
        'tr',
        { class: x.noise ? 'noise' : null, dataset: { path: x.path } },
        h('td', { class: 'path' }, h('code', {}, x.path)),
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
    byId('line-diffs').replaceChildren(...texts.map((x) => h('div', { class: 'linediff-box' }, h('div', { class: 'muted' }, h('code', {}, x.path), ` · ${x.kind}`), lineDiff(x.detail))));
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

/** JSON.stringify(value, null, 2), line by line, each line with the path of the value it shows. */
function prettyLines(value) {
  const lines = [];
  const walk = (v, path, depth, prefix, comma) => {
    const pad = '  '.repeat(depth);
    if (Array.isArray(v) || (v && typeof v === 'object')) {
      const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, '', x]) : Object.keys(v).map((k) => [keySegment(k), `${JSON.stringify(k)}: `, v[k]]);
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      if (entries.length === 0) {
        lines.push({ text: `${pad}${prefix}${open}${close}${comma}`, path });
        return;
      }
      lines.push({ text: `${pad}${prefix}${open}`, path });
      entries.forEach(([segment, label, child], i) => walk(child, path + segment, depth + 1, label, i < entries.length - 1 ? ',' : ''));
      lines.push({ text: `${pad}${close}${comma}`, path });
      return;
    }
    lines.push({ text: `${pad}${prefix}${JSON.stringify(v) ?? 'null'}${comma}`, path });
  };
  walk(value, '$', 0, '', '');
  return lines;
}

/** A line's path is at or under a difference's path (`[*]` in the difference matches any index). */
function under(linePath, diffPath) {
  const path = diffPath.includes('[*]') ? linePath.replace(/\[\d+\]/g, '[*]') : linePath;
  return path === diffPath || path.startsWith(`${diffPath}.`) || path.startsWith(`${diffPath}[`);
}

/** Pretty JSON with the differing lines highlighted; null when it is too big to mark line by line. */
function markedJson(value, marks) {
  const lines = prettyLines(value);
  if (lines.length > 20_000) return null;
  const pre = h('pre', { class: 'body marked', tabindex: '0' });
  for (const line of lines) {
    const mark = marks.find((m) => under(line.path, m.path));
    pre.append(h('span', { class: mark ? `jl jl-${mark.cls}` : 'jl', title: mark?.title }, `${line.text}\n`));
  }
  return pre;
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
    const parsed = parseJson(b.body);
    if (parsed.ok) content = markedJson(parsed.value, marks) ?? h('pre', { class: 'body', tabindex: '0' }, JSON.stringify(parsed.value, null, 2));
  }
  return h(
    'div',
    { class: 'body-box' },
    h('div', { class: 'body-label' }, label, notes.length ? h('span', { class: 'muted' }, ` · ${notes.join(' · ')}`) : null),
    content ?? h('pre', { class: 'body', tabindex: '0' }, b.body),
  );
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
      objectHash: (item, index) => item?.id ?? item?.key ?? item?.name ?? `$$index:${index}`,
      arrays: { detectMove: false },
      ...(textDiff ? { textDiff } : {}),
    });
    const delta = differ.diff(left.value, right.value);
    if (delta === undefined) {
      target.replaceChildren(h('p', { class: 'muted' }, 'The bodies are equal: the differences are in the status or the headers.'));
      return;
    }
    target.innerHTML = htmlFormatter.format(delta, left.value) ?? '';
    const toggle = byId('show-unchanged');
    const apply = () => htmlFormatter.showUnchanged(toggle.checked, target);
    toggle.addEventListener('change', apply);
    apply();
  } catch (error) {
    console.error('jsondiffpatch could not load', error);
    target.replaceChildren(h('p', { class: 'muted' }, `The visual diff could not load (${error?.message ?? error}); the differences table above is complete.`));
  }
}

void main();
