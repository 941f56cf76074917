/**
 * The timeline charts and the compare page in Debian's Chromium, over real traffic (seed.ts) and
 * two real replays of it against candidates: the charts render from the API's points with the
 * gate's limit, dragging or the keyboard sets the window of the whole page and the URL, each
 * chart's table holds its points, and /compare shows new, fixed and persisting as the API says.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_MS, bucketOf } from '../../libs/store/buckets.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { LAPTOP, launchChromium } from './chromium.js';
import { itemsCandidate, replayLive, seedReport, type Seeded } from './seed.js';

interface Point { t: string; compared: number; mismatched: number }
interface Timeline { bucketSeconds: number; points: Point[] }
interface Comparison { endpoints: { endpoint: string; fields: { path: string; status: string }[] }[] }

let seeded: Seeded | undefined;
let browser: Browser | undefined;
let page: Page;
const candidates: Upstream[] = [];
const problems: string[] = [];
let setupError: unknown;
/** A window of ten minutes ending after the traffic: 1-minute points, most of them empty. */
let since: string;
let until: string;

const s = (): Seeded => {
  if (setupError) throw setupError;
  if (!seeded) throw new Error('not seeded');
  return seeded;
};
const eventually = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 6_000, interval: 50 });
const q = encodeURIComponent;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const urlParam = (p: Page, key: string) => new URL(p.url()).searchParams.get(key);

beforeAll(async () => {
  try {
    candidates.push(await startUpstream(itemsCandidate('price')), await startUpstream(itemsCandidate('currency')));
    const [sd, b] = await Promise.all([seedReport({ replayAllow: candidates.map((c) => c.url).join(',') }, 1), launchChromium()]);
    seeded = sd;
    browser = b;
    await replayLive(sd, 'cand-1', candidates[0]?.url as string);
    await replayLive(sd, 'cand-2', candidates[1]?.url as string);
    const end = bucketOf(Date.now()) + BUCKET_MS;
    since = iso(end - 10 * BUCKET_MS);
    until = iso(end);
    page = await (await browser.newContext({ viewport: LAPTOP })).newPage();
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
    });
  } catch (error) {
    setupError = error;
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.close();
  for (const c of candidates) await c.close();
});

async function openRunView(query: string): Promise<Timeline> {
  const report = s().harness.report;
  await page.goto(`${report}/?${query}`);
  await page.locator('#updated', { hasNotText: '--' }).waitFor();
  await page.locator('#charts figure[data-chart="rate"] canvas').waitFor();
  const params = new URLSearchParams(query);
  params.delete('maxMismatchRate');
  return s().get<Timeline>(`/api/v1/timeline?${params}`);
}

describe('timeline charts', () => {
  it('render the API points with the gate limit, and a table per chart', async () => {
    const tl = await openRunView(`since=${q(since)}&until=${q(until)}&maxMismatchRate=0.05`);
    expect(tl.points).toHaveLength(10);
    expect(tl.bucketSeconds).toBe(60);
    expect(await page.locator('#charts figure.chart').count()).toBe(3);
    await eventually(() => page.getAttribute('#charts', 'data-points')).toBe('10');
    expect(await page.locator('#charts figure[data-chart="rate"] .u-legend').textContent()).toContain('gate limit');
    const table = page.locator('details.chart-table[data-chart="volume"]');
    await table.locator('summary').click();
    const rows = table.locator('tbody tr');
    await eventually(() => rows.count()).toBe(10);
    const compared = await rows.evaluateAll((trs) => trs.map((tr) => Number((tr.querySelectorAll('td')[0]?.textContent ?? '').replace(/,/g, ''))));
    expect(compared).toEqual(tl.points.map((p) => p.compared));
    // The gate limit is in the rate table, as a percentage of the threshold asked.
    const rateTable = page.locator('details.chart-table[data-chart="rate"]');
    await rateTable.locator('summary').click();
    await eventually(() => rateTable.locator('tbody tr').first().locator('td').last().textContent()).toBe('5.00%');
    expect(problems).toEqual([]);
  });

  it('sets since and until for the whole page and the URL when dragged across', async () => {
    const tl = await openRunView(`since=${q(since)}&until=${q(until)}`);
    const over = page.locator('#charts figure[data-chart="volume"] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('no plot area');
    await page.mouse.move(box.x + box.width * 0.12, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await eventually(() => urlParam(page, 'since') !== since).toBe(true);
    const from = Date.parse(urlParam(page, 'since') ?? '');
    const to = Date.parse(urlParam(page, 'until') ?? '');
    // Whole points, inside the window shown, a few of them.
    const starts = tl.points.map((p) => Date.parse(p.t));
    expect(starts).toContain(from);
    expect(starts.map((t) => t + BUCKET_MS)).toContain(to);
    expect((to - from) / BUCKET_MS).toBeGreaterThanOrEqual(2);
    expect((to - from) / BUCKET_MS).toBeLessThanOrEqual(5);
    // The page follows: the inputs, the charts and the summary read the new window.
    expect(await page.inputValue('#f-since')).toBe(urlParam(page, 'since'));
    expect(await page.inputValue('#f-until')).toBe(urlParam(page, 'until'));
    await eventually(() => page.getAttribute('#charts', 'data-points')).toBe(String((to - from) / BUCKET_MS));
    const summary = await s().get<{ compared: number }>(`/api/v1/summary?since=${q(iso(from))}&until=${q(iso(to))}`);
    await eventually(() => page.textContent('#s-compared')).toBe(summary.compared.toLocaleString('en-US'));
    // Back restores the window before the drag.
    await page.goBack();
    await eventually(() => urlParam(page, 'since')).toBe(since);
    expect(problems).toEqual([]);
  });

  it('is usable by keyboard: arrows move, Shift selects, Enter sets the window; table buttons too', async () => {
    const tl = await openRunView(`since=${q(since)}&until=${q(until)}`);
    const chart = page.locator('#charts figure[data-chart="rate"]');
    await chart.focus();
    await page.keyboard.press('End');
    await eventually(() => page.textContent('#chart-status')).toMatch(/mismatch rate/);
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    await eventually(() => page.textContent('#chart-status')).toMatch(/^selected .* Enter sets the window$/);
    await page.keyboard.press('Enter');
    const last = tl.points.at(-1) as Point;
    const third = tl.points.at(-3) as Point;
    await eventually(() => urlParam(page, 'since')).toBe(iso(Date.parse(third.t)));
    expect(urlParam(page, 'until')).toBe(iso(Date.parse(last.t) + BUCKET_MS));
    // A point's time in a data table is a button: Enter on it sets the window to that point.
    const table = page.locator('details.chart-table[data-chart="latency"]');
    await table.locator('summary').focus();
    await page.keyboard.press('Enter');
    const button = table.locator('tbody tr th button').first();
    await button.waitFor();
    await button.focus();
    await page.keyboard.press('Enter');
    const first = Date.parse(third.t);
    await eventually(() => urlParam(page, 'since')).toBe(iso(first));
    expect(urlParam(page, 'until')).toBe(iso(first + BUCKET_MS));
    expect(problems).toEqual([]);
  });
});

describe('compare page', () => {
  it('shows new, then fixed, then persisting fields as the API does, linked from the run selector', async () => {
    await openRunView('run=cand-2');
    const href = await page.getAttribute('#compare-link', 'href');
    expect(href).toBe('/compare?base=cand-1&head=cand-2');
    await page.locator('#compare-link').click();
    await page.locator('#main:not([aria-busy])').waitFor();
    const api = await s().get<Comparison>('/api/v1/runs/compare?base=cand-1&head=cand-2');
    for (const status of ['new', 'fixed', 'persisting']) {
      const expected = api.endpoints.flatMap((e) => e.fields.filter((f) => f.status === status).map((f) => `${e.endpoint} ${f.path}`));
      const shown = await page.$$eval(`#t-${status} tbody tr`, (trs) => trs.map((tr) => `${tr.getAttribute('data-endpoint')} ${tr.getAttribute('data-path')}`));
      expect(shown, status).toEqual(expected);
      expect(await page.textContent(`#n-${status}`)).toBe(String(expected.length));
    }
    expect(await page.$$eval('#t-new tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-path')))).toContain('$.currency');
    expect(await page.$$eval('#t-fixed tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-path')))).toContain('$.price');
    // The sections come in that order on the page.
    const order = await page.$$eval('main section.compare-group', (sections) => sections.map((x) => x.id));
    expect(order).toEqual(['new', 'fixed', 'persisting']);
    expect(problems).toEqual([]);
  });

  it('is usable by keyboard: pick runs, swap, submit', async () => {
    await page.goto(`${s().harness.report}/compare?base=cand-1&head=cand-2`);
    await page.locator('#main:not([aria-busy])').waitFor();
    await page.locator('#swap').focus();
    await page.keyboard.press('Enter');
    await eventually(() => [urlParam(page, 'base'), urlParam(page, 'head')]).toEqual(['cand-2', 'cand-1']);
    await page.locator('#main:not([aria-busy])').waitFor();
    await page.locator('#head').focus();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Compare');
    expect(problems).toEqual([]);
  });
});
