/**
 * The web report in a real browser (Debian's Chromium through playwright-core), over real traffic
 * sent through the ingress: the pages show what the API returns, filters and navigation work, the
 * keyboard reaches everything, the token is honoured and the figures refresh in place.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../support/harness.js';
import { BUCKET_MS, bucketOf } from '../../libs/store/buckets.js';
import { sleep } from '../support/wait.js';
import { LAPTOP, launchChromium } from './chromium.js';
import { seedReport, type Seeded } from './seed.js';

interface Endpoint {
  endpoint: string;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  byRisk: { high: number; medium: number; low: number };
  fields: { path: string; mismatches: number; shadowDiffs: number; secondaryDiffs: number; noise: boolean }[];
}
interface ListItem { id: string; endpoint: string; url: string; method: string; paths: string[]; shadowStatus: number | null }
interface Detail {
  id: string;
  risk: string;
  request: { method: string; url: string };
  primary: { status: number; body: string | null };
  shadow: { status: number | null; body: string | null };
  differences: { path: string; kind: string; noise: boolean; detail?: string }[];
}
interface Gate { data: { verdict: 'pass' | 'fail' | 'inconclusive'; reasons: string[] } }

const TOKEN = 'a-long-enough-report-token';
const ITEMS = 'GET /items/:id';

let seeded: Seeded | undefined;
let secured: Seeded | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
/** An instant between the first and the second batch of traffic. */
let between: string;
const pageErrors: string[] = [];
/** Console errors of the main page (CSP violations, failed loads, uncaught errors). */
const consoleErrors: string[] = [];
/** Why the browser or the traffic could not be set up: every test fails with it (none is skipped). */
let setupError: unknown;

function ready(): void {
  if (setupError) throw setupError;
}

/** The page catches up within a refresh or two, even on a busy CI machine. */
const eventually = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 6_000, interval: 50 });
const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtRate = (r: number) => `${(r * 100).toFixed(2)}%`;
const q = encodeURIComponent;

function s(): Seeded {
  if (!seeded) throw new Error('not seeded');
  return seeded;
}

async function newPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));
  return p;
}

/** The run view has shown the answer of at least one refresh. */
async function loaded(p: Page): Promise<void> {
  // Locators, not string predicates: the pages' CSP forbids the eval a string predicate needs.
  await p.locator('#updated', { hasNotText: '--' }).waitFor();
}

const listedIds = (p: Page) => p.$$eval('#discrepancy-list tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')));

async function apiIds(params: Record<string, string>): Promise<string[]> {
  const query = new URLSearchParams({ limit: '50', ...params });
  return (await s().get<{ items: ListItem[] }>(`/api/v1/discrepancies?${query}`)).items.map((i) => i.id);
}

beforeAll(async () => {
  const seeding = (async () => {
    const sd = await seedReport({}, 1);
    seeded = sd;
    // A window selects whole minutes: the second batch goes in the minute after the first's, and
    // `between` is that minute's start.
    const next = bucketOf(Date.now()) + BUCKET_MS;
    await sleep(next - Date.now() + 10);
    between = new Date(next).toISOString();
    await sd.sendBatch(1);
    return sd;
  })();
  const [seedResult, browserResult] = await Promise.allSettled([seeding, launchChromium()]);
  if (browserResult.status === 'rejected') setupError = browserResult.reason;
  else if (seedResult.status === 'rejected') setupError = seedResult.reason;
  if (browserResult.status === 'fulfilled') {
    browser = browserResult.value;
    context = await browser.newContext({ viewport: LAPTOP });
    page = await newPage(context);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
  }
}, 120_000); // up to a minute waiting for the next minute bucket

afterAll(async () => {
  await browser?.close();
  await seeded?.close();
  await secured?.close();
});

describe('web report', () => {
  it('renders the summary, the endpoints in the API order, the default gate and the noise fields', async () => {
    ready();
    const summary = await s().get<Summary>('/api/v1/summary');
    const { endpoints } = await s().get<{ endpoints: Endpoint[] }>('/api/v1/endpoints');
    const gate = await s().get<Gate>('/api/v1/gate?maxMismatchRate=0.01&minSamples=100');
    expect(summary.compared).toBe(104);
    expect(endpoints.length).toBeGreaterThanOrEqual(4);

    await page.goto(`${s().harness.report}/`);
    await loaded(page);
    expect(await page.textContent('#s-compared')).toBe(fmtInt(summary.compared));
    expect(await page.textContent('#s-mismatched')).toBe(fmtInt(summary.mismatched));
    expect(await page.textContent('#s-rate')).toBe(fmtRate(summary.mismatchRate));
    expect(await page.textContent('#s-shadow-errors')).toBe(fmtInt(summary.shadowErrors));

    const rows = await page.$$eval('#endpoints tbody tr', (trs) =>
      trs.map((tr) => {
        const text = (cls: string) => tr.querySelector(`td.${cls}`)?.textContent;
        return {
          endpoint: tr.getAttribute('data-endpoint'),
          compared: text('compared'),
          mismatched: text('mismatched'),
          rate: tr.querySelector('.rate-text')?.textContent,
          high: text('by-risk-high'),
          medium: text('by-risk-medium'),
          low: text('by-risk-low'),
        };
      }),
    );
    expect(rows).toEqual(
      endpoints.map((e) => ({
        endpoint: e.endpoint,
        compared: fmtInt(e.compared),
        mismatched: fmtInt(e.mismatched),
        rate: fmtRate(e.mismatchRate),
        high: fmtInt(e.byRisk.high),
        medium: fmtInt(e.byRisk.medium),
        low: fmtInt(e.byRisk.low),
      })),
    );

    expect(await page.getAttribute('#gate-verdict', 'data-verdict')).toBe(gate.data.verdict);
    expect(await page.textContent('#gate-verdict')).toBe(gate.data.verdict.toUpperCase());
    expect(await page.$$eval('#gate-reasons li', (lis) => lis.map((li) => li.textContent))).toEqual(gate.data.reasons);

    // $.nonce differs in the secondary as often as in the shadow: noise, marked, after the real fields.
    const items = endpoints.find((e) => e.endpoint === ITEMS);
    expect(items?.fields.find((f) => f.path === '$.nonce')?.noise).toBe(true);
    const itemFields = await page.$$eval(`#fields tbody tr[data-endpoint="${ITEMS}"]`, (trs) =>
      trs.map((tr) => ({
        path: tr.getAttribute('data-path'),
        noise: tr.classList.contains('noise'),
        badge: tr.querySelector('.badge-noise')?.textContent ?? null,
        shadow: tr.querySelector('td.shadow-diffs')?.textContent,
        secondary: tr.querySelector('td.secondary-diffs')?.textContent,
      })),
    );
    expect(itemFields).toEqual(
      items?.fields.map((f) => ({
        path: f.path,
        noise: f.noise,
        badge: f.noise ? 'noise' : null,
        shadow: fmtInt(f.shadowDiffs),
        secondary: fmtInt(f.secondaryDiffs),
      })),
    );
    expect(itemFields.at(-1)).toMatchObject({ path: '$.nonce', noise: true });
  });

  it('changes the verdict with the thresholds, and filters by endpoint, field, risk and time window', async () => {
    ready();
    await page.fill('#t-min-samples', '10');
    await page.fill('#t-max-rate', '0.5');
    const pass = await s().get<Gate>('/api/v1/gate?maxMismatchRate=0.5&minSamples=10');
    expect(pass.data.verdict).toBe('pass');
    await eventually(() => page.getAttribute('#gate-verdict', 'data-verdict')).toBe('pass');
    expect(page.url()).toContain('maxMismatchRate=0.5');
    expect(page.url()).toContain('minSamples=10');
    await page.fill('#t-max-rate', '0.1');
    await eventually(() => page.getAttribute('#gate-verdict', 'data-verdict')).toBe('fail');
    expect(await page.$$eval('#gate-reasons li', (lis) => lis.map((li) => li.textContent))).toEqual(
      (await s().get<Gate>('/api/v1/gate?maxMismatchRate=0.1&minSamples=10')).data.reasons,
    );

    // Endpoint: the listed ids are the API's for that endpoint.
    await page.selectOption('#f-endpoint', ITEMS);
    const itemIds = await apiIds({ endpoint: ITEMS });
    expect(itemIds.length).toBeGreaterThan(10);
    await eventually(() => listedIds(page)).toEqual(itemIds);
    expect(new URL(page.url()).searchParams.get('endpoint')).toBe(ITEMS);

    // Field path: the discrepancies that differ at $.price.
    const all = (await s().get<{ items: ListItem[] }>(`/api/v1/discrepancies?endpoint=${q(ITEMS)}&limit=50`)).items;
    await page.selectOption('#f-field', '$.price');
    await eventually(() => listedIds(page)).toEqual(all.filter((i) => i.paths.includes('$.price')).map((i) => i.id));
    await page.selectOption('#f-field', '');

    // Risk: from each discrepancy's detail.
    const details = await Promise.all(all.map((i) => s().get<Detail>(`/api/v1/discrepancies/${i.id}`)));
    const high = details.filter((d) => d.risk === 'high').map((d) => d.id);
    expect(high.length).toBeGreaterThan(0);
    expect(high.length).toBeLessThan(all.length);
    await page.selectOption('#f-risk', 'high');
    await eventually(() => listedIds(page)).toEqual(high);
    await eventually(() => page.$$eval('#discrepancy-list td.risk', (tds) => tds.map((td) => td.textContent))).toEqual(high.map(() => 'high'));
    await page.selectOption('#f-risk', '');
    await eventually(() => listedIds(page)).toEqual(itemIds);

    // Time window: since an instant between the two batches, only the second batch's.
    await page.fill('#f-since', between);
    await page.press('#f-since', 'Enter');
    const recent = await apiIds({ endpoint: ITEMS, since: between });
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(itemIds.length);
    await eventually(() => listedIds(page)).toEqual(recent);
    expect(new URL(page.url()).searchParams.get('since')).toBe(between);
    const windowed = await s().get<Summary>(`/api/v1/summary?since=${q(between)}`);
    expect(await page.textContent('#s-compared')).toBe(fmtInt(windowed.compared));
  });

  it('opens a discrepancy with both sides, the visual diff and the differences, and goes back to the filtered view', async () => {
    ready();
    const filteredUrl = page.url();
    const firstId = (await listedIds(page))[0];
    expect(firstId).toBeTruthy();
    await page.click('#discrepancy-list tbody tr:first-child a.discrepancy-link');
    await page.waitForURL(/\/discrepancies\//);
    expect(new URL(page.url()).pathname).toBe(`/discrepancies/${firstId}`);
    const detail = await s().get<Detail>(`/api/v1/discrepancies/${firstId}`);

    await page.waitForSelector('#differences-table tbody tr');
    expect(await page.textContent('#r-line')).toBe(`${detail.request.method} ${detail.request.url}`);
    expect(await page.textContent('#primary .status')).toBe(String(detail.primary.status));
    expect(await page.textContent('#shadow .status')).toBe(String(detail.shadow.status));
    const bodies = await page.$$eval('.side pre.body', (pres) => pres.map((p) => JSON.parse(p.textContent ?? 'null') as unknown));
    expect(bodies).toEqual([JSON.parse(detail.primary.body ?? 'null'), JSON.parse(detail.shadow.body ?? 'null')]);
    // Side by side: the shadow's panel is to the right of the primary's, on the same row.
    const [left, right] = await Promise.all([page.locator('#primary').boundingBox(), page.locator('#shadow').boundingBox()]);
    expect(right!.x).toBeGreaterThan(left!.x + left!.width - 1);
    expect(Math.abs(right!.y - left!.y)).toBeLessThan(2);

    await page.waitForSelector('#visual-diff .jsondiffpatch-delta');
    expect(await page.locator('#visual-diff .jsondiffpatch-modified, #visual-diff .jsondiffpatch-deleted').count()).toBeGreaterThan(0);
    const shown = await page.$$eval('#differences-table tbody tr', (trs) =>
      trs.map((tr) => ({ path: tr.getAttribute('data-path'), kind: tr.querySelector('td.kind')?.textContent, noise: tr.classList.contains('noise') })),
    );
    const expected = detail.differences.map((d) => ({ path: d.path, kind: d.kind, noise: d.noise }));
    expect(shown).toEqual([...expected.filter((d) => !d.noise), ...expected.filter((d) => d.noise)]);

    await page.goBack();
    await page.waitForURL(filteredUrl);
    await loaded(page);
    expect(await page.inputValue('#f-endpoint')).toBe(ITEMS);
    expect(await page.inputValue('#f-since')).toBe(between);
    await eventually(() => listedIds(page)).toEqual(await apiIds({ endpoint: ITEMS, since: between }));
  });

  it('shows the line diff of a text body and a shadow 5xx', async () => {
    ready();
    const docs = (await s().get<{ items: ListItem[] }>(`/api/v1/discrepancies?endpoint=${q('GET /docs/:id')}&limit=1`)).items[0];
    expect(docs).toBeDefined();
    await page.goto(`${s().harness.report}/discrepancies/${docs!.id}`);
    await page.waitForSelector('#line-diffs pre.linediff');
    expect(await page.locator('#text-diff').isVisible()).toBe(true);
    expect(await page.textContent('#line-diffs .ld-del')).toBe('-Ratings use whole stars from 1 to 5.');
    expect(await page.$$eval('#line-diffs .ld-add', (ls) => ls.map((l) => l.textContent))).toEqual([
      '+Ratings use half stars from 1 to 5.',
      '+Moderators see flagged reviews first.',
    ]);
    expect(await page.locator('#visual').isHidden()).toBe(true);

    const users = (await s().get<{ items: ListItem[] }>(`/api/v1/discrepancies?endpoint=${q('GET /users/:id')}&limit=50`)).items;
    const failed = users.find((i) => i.shadowStatus === 503);
    expect(failed).toBeDefined();
    await page.goto(`${s().harness.report}/discrepancies/${failed!.id}`);
    await page.waitForSelector('#d-alert:not([hidden])');
    expect(await page.textContent('#d-alert')).toContain('503');
    expect(await page.textContent('#shadow .status')).toBe('503');
    expect(await page.getAttribute('#shadow .status .badge', 'class')).toContain('status-5xx');
    // The breadcrumb leads back to the run, filtered on the endpoint.
    await page.click('#crumb-endpoint');
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('endpoint') === 'GET /users/:id');
    await loaded(page);
    await eventually(() => listedIds(page)).toEqual(await apiIds({ endpoint: 'GET /users/:id' }));
  });

  it('is keyboard friendly: / focuses the endpoint filter, Tab reaches the discrepancy links, Enter opens one', async () => {
    ready();
    await page.goto(`${s().harness.report}/`);
    await loaded(page);
    await page.waitForSelector('#discrepancy-list a.discrepancy-link');
    await page.locator('#summary').click(); // focus on the page, outside any field
    await page.keyboard.press('/');
    expect(await page.locator('#f-endpoint:focus').count()).toBe(1);

    let reached: string | null = null;
    for (let i = 0; i < 120 && !reached; i++) {
      await page.keyboard.press('Tab');
      const focused = page.locator('#discrepancy-list a.discrepancy-link:focus');
      reached = (await focused.count()) > 0 ? await focused.getAttribute('href') : null;
    }
    expect(reached).toMatch(/^\/discrepancies\//);
    // The focused link shows a focus ring.
    expect(await page.locator(':focus').evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/discrepancies/'));
    await page.waitForSelector('#differences-table tbody tr');
  });

  it('says when the run reached its endpoint cap, and suggests a route rule', async () => {
    ready();
    await page.goto(`${s().harness.report}/`);
    await loaded(page);
    expect(await page.locator('#endpoint-cap-note').isHidden()).toBe(true);

    const capped = await seedReport({ maxEndpoints: '2' }, 1);
    try {
      const { endpoints, endpointCap } = await capped.get<{ endpoints: Endpoint[]; endpointCap: { max: number; reached: boolean } }>('/api/v1/endpoints');
      expect(endpointCap).toEqual({ max: 2, reached: true });
      expect(endpoints.map((e) => e.endpoint)).toContain('OTHER');
      const p = await newPage(context);
      await p.goto(`${capped.harness.report}/`);
      await loaded(p);
      const note = p.locator('#endpoint-cap-note');
      await note.waitFor({ state: 'visible' });
      expect(await note.textContent()).toMatch(/cap of 2 endpoints.*OTHER.*route rule/s);
      await p.close();
    } finally {
      await capped.close();
    }
  });

  it('works with REPORT_TOKEN: with the header, or through the login form that a refused API call sends the page to and back', async () => {
    ready();
    secured = await seedReport({ reportToken: TOKEN }, 1);
    const report = secured.harness.report;
    const summary = await secured.get<Summary>('/api/v1/summary');

    const withToken = await browser!.newContext({ viewport: LAPTOP, extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } });
    try {
      const p = await newPage(withToken);
      await p.goto(`${report}/`);
      await loaded(p);
      expect(await p.textContent('#s-compared')).toBe(fmtInt(summary.compared));
      expect(await p.locator('#banner').isHidden()).toBe(true);
      await p.click('#discrepancy-list tbody tr:first-child a.discrepancy-link');
      await p.waitForSelector('#differences-table tbody tr');
    } finally {
      await withToken.close();
    }

    const anonymous = await browser!.newContext({ viewport: LAPTOP });
    try {
      const host = new URL(report).hostname;
      // A session cookie of the version before the Path was narrowed: the login clears it.
      await anonymous.addCookies([{ name: 'shadow_diff_session', value: 'v1.1.old', domain: host, path: '/', httpOnly: true, sameSite: 'Strict' }]);
      const p = await newPage(anonymous);
      // The page shell loads without a session; its first API call answers 401 and the page goes to
      // the login form, which brings it back to the same view.
      const { items } = await secured.get<{ items: ListItem[] }>('/api/v1/discrepancies?limit=1');
      const target = `/discrepancies/${encodeURIComponent(items[0]!.id)}?run=live`;
      await p.goto(`${report}${target}`);
      await p.waitForURL((url) => url.pathname === '/login');
      expect(new URL(p.url()).searchParams.get('next')).toBe(target);
      await p.fill('input[name="token"]', TOKEN);
      await Promise.all([p.waitForURL((url) => url.pathname + url.search === target), p.click('button[type="submit"]')]);
      await p.waitForSelector('#differences-table tbody tr');
      expect(await p.locator('#banner').isHidden()).toBe(true);

      // The session is an HttpOnly cookie at Path=/api/v1, the only cookie left.
      const cookies = await anonymous.cookies(); // every cookie of the context, whatever its path
      expect(cookies.map((c) => ({ name: c.name, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
        { name: 'shadow_diff_session', path: '/api/v1', httpOnly: true, sameSite: 'Strict' },
      ]);
      expect(await p.locator('body').evaluate((body) => body.ownerDocument.cookie)).toBe(''); // HttpOnly, and not at this path

      await p.click('#back');
      await p.waitForURL((url) => url.pathname === '/');
      await loaded(p);
      expect(await p.textContent('#s-compared')).toBe(fmtInt(summary.compared));

      // The session ends (expired, or logged out elsewhere): the next refresh goes to the login form.
      await anonymous.clearCookies();
      await p.waitForURL((url) => url.pathname === '/login', { timeout: 15_000 });
      expect(new URL(p.url()).searchParams.get('next')).toBe('/?run=live');
      await p.fill('input[name="token"]', TOKEN);
      await Promise.all([p.waitForURL((url) => url.pathname === '/'), p.click('button[type="submit"]')]);
      await loaded(p);
      expect(await p.textContent('#s-compared')).toBe(fmtInt(summary.compared));
    } finally {
      await anonymous.close();
    }
  });

  it('refreshes while traffic flows: the compared count grows without a reload', async () => {
    ready();
    await page.goto(`${s().harness.report}/`);
    await loaded(page);
    const before = await s().get<Summary>('/api/v1/summary');
    expect(await page.textContent('#s-compared')).toBe(fmtInt(before.compared));
    await page.locator('body').evaluate((body) => body.setAttribute('data-not-reloaded', 'yes'));
    const stamp = await page.textContent('#updated');
    const boxes = () => Promise.all(['#summary', '#gate', '#endpoints', '#fields-section'].map((sel) => page.locator(sel).boundingBox()));
    const layoutBefore = await boxes();

    await s().sendBatch(2);
    const after = await s().get<Summary>('/api/v1/summary');
    expect(after.compared).toBeGreaterThan(before.compared);
    await expect.poll(() => page.textContent('#s-compared'), { timeout: 10_000, interval: 100 }).toBe(fmtInt(after.compared));
    expect(await page.getAttribute('body', 'data-not-reloaded')).toBe('yes');
    expect(await page.textContent('#updated')).not.toBe(stamp);
    // Numbers change in place: nothing above the lists moves or resizes.
    expect(await boxes()).toEqual(layoutBefore);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
