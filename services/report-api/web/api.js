// @ts-check
/* global document, location, fetch, URLSearchParams, Node, NodeFilter */
/**
 * Shared by the web report's pages: the JSON API client, the URL state, a tiny DOM builder and the
 * formatters. Plain ES module, no build step, no dependency.
 */

/** An API answer that is not 2xx: `status` and, for a 400, the `parameter` it names. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body && typeof body.code === 'string' ? body.code : null;
    this.parameter = body && typeof body.parameter === 'string' ? body.parameter : null;
  }
}

/** GET a JSON route of the report API; parameters that are empty are left out. */
/**
 * @param {string} path
 * @param {Record<string, unknown>} [params]
 * @returns {Promise<any>} The parsed body: the caller annotates it with its route's type (api-types.js).
 */
export async function getJson(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const url = query.size > 0 ? `${path}?${query}` : path;
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      // not JSON: keep the status alone
    }
    const error = new ApiError(res.status, body);
    if (res.status === 401) showAuthNeeded();
    throw error;
  }
  return res.json();
}

/** Fetches with at most `limit` requests in flight. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------- URL state

export const DEFAULT_THRESHOLDS = Object.freeze({ maxMismatchRate: '0.01', minSamples: '100' });
export const STATE_KEYS = ['run', 'endpoint', 'field', 'risk', 'since', 'until', 'maxMismatchRate', 'minSamples'];

/** The view's state, from the query string: every view is a link. */
/** @returns {Record<string, string>} */
export function readState(search = location.search) {
  const q = new URLSearchParams(search);
  /** @type {Record<string, string>} */
  const state = {};
  for (const key of STATE_KEYS) state[key] = q.get(key) ?? '';
  return state;
}

/** The query string of a state (`?…`, or '' when everything is default). */
export function toQuery(state) {
  const q = new URLSearchParams();
  for (const key of STATE_KEYS) {
    const value = state[key];
    if (value === undefined || value === null || value === '') continue;
    if (DEFAULT_THRESHOLDS[key] !== undefined && String(value) === DEFAULT_THRESHOLDS[key]) continue;
    q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Where the run view of a state is. */
export const overviewHref = (state) => `/${toQuery(state)}`;

/** Where a discrepancy is; the state rides along so its page links back to the same view. */
export const discrepancyHref = (id, state) => `/discrepancies/${encodeURIComponent(id)}${toQuery(state)}`;

// ---------------------------------------------------------------- DOM

/**
 * h('a', { href, class: 'x', onclick }, 'text', child) builds an element; strings become text nodes
 * (never HTML), null and false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, key === 'title' ? escapeControls(value) : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(...escapedNodes(String(child)));
  }
}

/**
 * Characters shown escaped (`\u202E`) wherever the page shows text from the API: C0 and C1 controls
 * (tab and line breaks aside), bidi embeddings, overrides, isolates and marks (which visibly reverse
 * text), and invisible formatting characters. Zero-width (non-)joiners stay: scripts and emoji need them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/g;

/** The same class without the g flag: test() keeps no lastIndex. */
const HAS_UNSAFE = new RegExp(UNSAFE_CHARS.source);

const escapeChar = (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The text with every unsafe character written as `\uXXXX` (for titles and attributes). */
export const escapeControls = (text) => String(text).replace(UNSAFE_CHARS, escapeChar);

/** Text nodes, each unsafe character as a marked `\uXXXX` span. */
export function escapedNodes(text) {
  if (!HAS_UNSAFE.test(text)) return [text];
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(UNSAFE_CHARS)) {
    if (m.index > last) nodes.push(text.slice(last, m.index));
    const span = document.createElement('span');
    span.className = 'ctl';
    span.title = 'an invisible or control character, shown escaped';
    span.textContent = escapeChar(m[0]);
    nodes.push(span);
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

/** Escapes unsafe characters in every text node under `root` (for HTML built by a library). */
export function escapeTextNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = /** @type {Text} */ (node);
    if (HAS_UNSAFE.test(text.data)) found.push(text);
  }
  for (const node of found) node.replaceWith(...escapedNodes(node.data));
}

/** Replaces an element's children (nothing happens when the text would not change). */
export function setText(el, text) {
  const value = String(text);
  if (el.textContent === escapeControls(value)) return;
  el.replaceChildren(...escapedNodes(value));
}

/** @returns {any} The element, of the kind (input, table, form) the page knows it to be. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
}

/** The banner at the top of a page: an error, or the token message. */
export function showBanner(kind, ...content) {
  const banner = byId('banner');
  banner.className = `banner banner-${kind}`;
  banner.replaceChildren(...content);
  banner.hidden = false;
}

export function hideBanner() {
  const banner = byId('banner');
  banner.hidden = true;
  banner.replaceChildren();
}

/** Where the login form is, coming back to this page (and its view) once logged in. */
export const loginHref = () => `/login?${new URLSearchParams({ next: location.pathname + location.search })}`;

let redirecting = false;

/**
 * A 401 from the API (no session yet, or it expired): the browser goes to the login form, which
 * brings it back here. The banner says so meanwhile, and stays should the navigation not happen.
 */
export function showAuthNeeded() {
  showBanner(
    'auth',
    h('strong', {}, 'This report needs a token: '),
    h('a', { href: loginHref() }, 'log in'),
    h('span', {}, '. Tools and scripts send Authorization: Bearer <REPORT_TOKEN> instead.'),
  );
  document.body.classList.add('needs-token');
  if (!redirecting) {
    redirecting = true;
    location.assign(loginHref());
  }
}

// ---------------------------------------------------------------- formatting

const intFormat = new Intl.NumberFormat('en-US');

export const fmtInt = (n) => (typeof n === 'number' ? intFormat.format(n) : '—');

/** 0.0123 → "1.23%". */
export const fmtRate = (rate) => (typeof rate === 'number' ? `${(rate * 100).toFixed(2)}%` : '—');

export const fmtMs = (ms) => (typeof ms === 'number' ? (ms >= 100 ? `${Math.round(ms)}` : ms.toFixed(1)) : '—');

const pad = (n) => String(n).padStart(2, '0');

/** HH:MM:SS, local time. */
export function fmtClock(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "2026-11-24 10:03:12", local time. */
export function fmtDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(d)}`;
}

/** HH:MM:SS today, else "11-23 22:44:39". */
export function fmtWhen(iso, now = new Date()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return today ? fmtClock(d) : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(d)}`;
}

/** A difference path aggregated like the endpoint's fields: `$.items[3].price` → `$.items[*].price`. */
export const fieldOf = (path) => path.replace(/\[\d+\]/g, '[*]');

/** @type {readonly string[]} */
export const RISKS = ['high', 'medium', 'low'];

export function riskBadge(risk) {
  const known = RISKS.includes(risk) ? risk : 'unknown';
  return h('span', { class: `badge risk-${known}`, title: `risk: ${risk ?? 'unknown'}` }, risk ?? '…');
}

export function statusBadge(status) {
  if (status === null || status === undefined) return h('span', { class: 'badge status-none', title: 'no response' }, 'none');
  const cls = status >= 500 ? 'status-5xx' : status >= 400 ? 'status-4xx' : status >= 300 ? 'status-3xx' : 'status-2xx';
  return h('span', { class: `badge ${cls}` }, String(status));
}

/** Compact JSON of a difference's value (undefined reads as absent). */
export function fmtValue(value) {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
