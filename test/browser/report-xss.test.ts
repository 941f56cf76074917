/**
 * XSS (issue 12: "keep those tests"): a discrepancy whose values, field paths, endpoint, URL and
 * headers are HTML and script payloads. In Chromium, the run view and the discrepancy page show
 * them as text: no element or handler comes out of them, nothing runs (each payload would set
 * window.__pwned), and both pages carry the CSP. The discrepancy page's visual diff goes through
 * jsondiffpatch's HTML formatter and innerHTML: its escaping is what this checks there.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, recordBatch, type ExchangeOutcome } from '../../libs/store/index.js';
import { mismatchOutcome, storedDifference, storedText } from '../support/fixtures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { json, startUpstream, type Upstream } from '../support/upstream.js';
import { LAPTOP, launchChromium } from './chromium.js';

const P = {
  img: `<img src=x onerror="window.__pwned='img'">`,
  script: `<script>window.__pwned='script'</script>`,
  js: `javascript:window.__pwned='js'`,
  svg: `"><svg onload="window.__pwned='svg'">`,
  url: `<img src=x onerror="window.__pwned='url'">`,
  endpoint: `<script>window.__pwned='endpoint'</script>`,
};
const URL_PATH = `/search/${P.url}?q=${P.svg}`;
const ENDPOINT = `GET /search/${P.endpoint}`;
const KEY_PATH = `$['${P.img}']`;

function hostile(): ExchangeOutcome {
  const body = (value: unknown) => storedText(JSON.stringify(value));
  const primaryBody = { [P.img]: P.script, link: 'https://example.com/', note: P.svg, list: [P.js] };
  const shadowBody = { [P.img]: P.svg, link: P.js, note: P.script, list: [P.img] };
  return mismatchOutcome({
    endpoint: ENDPOINT,
    url: URL_PATH,
    differences: [
      storedDifference(KEY_PATH, P.script, P.svg),
      storedDifference('$.link', 'https://example.com/', P.js),
      storedDifference('$.note', P.svg, P.script),
      storedDifference('$.list[0]', P.js, P.img),
      storedDifference('header.x-debug', P.img, P.svg),
    ],
    evidence: {
      request: { method: 'GET', url: URL_PATH, headers: { accept: 'application/json', 'x-note': P.script, referer: P.js }, ...storedText('') },
      primary: { status: 200, headers: { 'content-type': 'application/json', 'x-debug': P.img }, latencyMs: 3, ...body(primaryBody) },
      shadow: { status: 200, headers: { 'content-type': 'application/json', 'x-debug': P.svg }, latencyMs: 4, error: null, ...body(shadowBody) },
    },
  });
}

let upstreams: Upstream[] = [];
let harness: Harness | undefined;
let browser: Browser | undefined;
let id = '';
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  upstreams = await Promise.all([startUpstream((_req, res) => json(res, 200, {})), startUpstream((_req, res) => json(res, 200, {}))]);
  harness = await startHarness('embedded', { primary: upstreams[0]!.url, shadow: upstreams[1]!.url });
  const store = await openStore(harness.db);
  try {
    const outcome = hostile();
    await recordBatch(store, [outcome]);
    id = outcome.id;
  } finally {
    await store.close();
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await Promise.all(upstreams.map((u) => u.close()));
});

/** Opens a page, failing the test on a response without the pages' CSP. */
async function open(path: string): Promise<Page> {
  if (!browser || !harness) throw new Error('not set up');
  const page = await (await browser.newContext({ viewport: LAPTOP })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const res = await page.goto(`${harness.report}${path}`);
  expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self';.*base-uri 'none'/);
  return page;
}

/** Whatever a payload would have become, had it been parsed as HTML. */
const injected = (page: Page) => page.locator('img, svg, iframe, script:not([src]), [onerror], [onload], a[href^="javascript:" i]').count();

const pwned = (page: Page) => page.locator('body').evaluate((b) => (b.ownerDocument.defaultView as unknown as { __pwned?: unknown }).__pwned);

describe('XSS: payloads in a discrepancy are shown as text', () => {
  it('on the run view: endpoint, field paths and URL', async () => {
    const page = await open('/');
    await page.locator('#discrepancy-list tbody tr').first().waitFor();
    await page.locator('#fields tbody tr').first().waitFor();
    expect(await page.locator('#endpoints').textContent()).toContain(ENDPOINT);
    const fields = (await page.locator('#fields').textContent()) ?? '';
    for (const path of [KEY_PATH, '$.link', '$.note']) expect(fields).toContain(path);
    const list = (await page.locator('#discrepancy-list').textContent()) ?? '';
    expect(list).toContain(P.url);
    expect(list).toContain(KEY_PATH);
    expect(await page.locator('#f-endpoint').textContent()).toContain(ENDPOINT);
    expect(await injected(page)).toBe(0);
    expect(await pwned(page)).toBeUndefined();
  });

  it('on the discrepancy page: URL, headers, values, bodies and the jsondiffpatch visual diff', async () => {
    const page = await open(`/discrepancies/${id}`);
    await page.locator('#main[aria-busy="false"]').waitFor({ timeout: 15_000 });
    await page.locator('#visual-diff .jsondiffpatch-delta').waitFor();
    expect(await page.locator('#d-title').textContent()).toBe(`GET ${URL_PATH}`);
    expect(await page.locator('#crumb-endpoint').textContent()).toBe(ENDPOINT);
    const request = (await page.locator('#r-headers').textContent()) ?? '';
    expect(request).toContain(P.script);
    expect(request).toContain(P.js);
    const differences = (await page.locator('#differences-table').textContent()) ?? '';
    for (const text of [KEY_PATH, P.img, P.js]) expect(differences).toContain(text);
    expect(await page.locator('#shadow').textContent()).toContain(P.svg.replace(/"/g, '\\"'));
    // jsondiffpatch's HTML: keys and values arrive escaped, so they are text here too.
    const visual = (await page.locator('#visual-diff').textContent()) ?? '';
    expect(visual).toContain(P.img); // the key, as is
    for (const text of [P.img, P.js, P.svg, P.script]) expect(visual).toContain(JSON.stringify(text).slice(1, -1)); // values, as JSON
    expect(await page.title()).toContain(P.url);
    expect(await injected(page)).toBe(0);
    expect(await pwned(page)).toBeUndefined();
  });

  it('ran nothing and broke no policy on the way', () => {
    expect(pageErrors).toEqual([]);
    // A payload parsed as HTML would have tripped the CSP; nothing did.
    expect(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
  });
});
