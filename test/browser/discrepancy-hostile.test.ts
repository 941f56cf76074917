/**
 * The discrepancy page with bodies the comparator cannot help: JSON nested 10,000 levels deep (the
 * store keeps such evidence; the comparison budget skips it, so the store is seeded directly) and
 * values with bidi and control characters. In Chromium: the page shows the structure or a fold note,
 * never an empty panel, and shows such characters escaped.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, recordBatch, type ExchangeOutcome, type StoredDifference } from '../../libs/store/index.js';
import { mismatchOutcome, storedDifference, storedText } from '../support/fixtures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { json, startUpstream, type Upstream } from '../support/upstream.js';
import { LAPTOP, launchChromium } from './chromium.js';

const DEPTH = 10_000;
const RLO = '\u202E';
const EVIL = `invoice-${RLO}fdp.exe`;

/** `{"label":…,"deep":{"a":{"a":…{"v":leaf}}}}`: DEPTH levels of objects in all. */
function deepBody(label: string, leaf: number): string {
  return `{"label":${JSON.stringify(label)},"deep":${'{"a":'.repeat(DEPTH - 2)}{"v":${leaf}}${'}'.repeat(DEPTH - 2)}}`;
}

const deepPath = `$.deep${'.a'.repeat(DEPTH - 2)}.v`;

function outcome(primaryBody: string, shadowBody: string, differences: StoredDifference[]): ExchangeOutcome {
  const headers = { 'content-type': 'application/json' };
  return mismatchOutcome({
    endpoint: 'GET /deep',
    url: '/deep',
    differences,
    evidence: {
      request: { method: 'GET', url: '/deep', headers: { accept: 'application/json', 'x-note': `a${RLO}b` }, ...storedText('') },
      primary: { status: 200, headers, latencyMs: 3, ...storedText(primaryBody) },
      shadow: { status: 200, headers, latencyMs: 4, error: null, ...storedText(shadowBody) },
    },
  });
}

const difference = storedDifference;

let upstreams: Upstream[] = [];
let harness: Harness | undefined;
let browser: Browser | undefined;
let deepId = '';
let bidiId = '';
let failingId = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  upstreams = await Promise.all([startUpstream((_req, res) => json(res, 200, {})), startUpstream((_req, res) => json(res, 200, {}))]);
  harness = await startHarness('embedded', { primary: upstreams[0]!.url, shadow: upstreams[1]!.url });
  const store = await openStore(harness.db);
  try {
    const deep = outcome(deepBody('ok', 1), deepBody(EVIL, 2), [difference('$.label', 'ok', EVIL), difference(deepPath, 1, 2)]);
    const bidi = outcome(JSON.stringify({ name: 'report.txt' }), JSON.stringify({ name: EVIL, note: 'bell\u0007 zero\u200Bwidth' }), [difference('$.name', 'report.txt', EVIL)]);
    const failing = outcome(JSON.stringify({ explode: 1 }), JSON.stringify({ explode: 2 }), [difference('$.explode', 1, 2)]);
    await recordBatch(store, [deep, bidi, failing]);
    deepId = deep.id;
    bidiId = bidi.id;
    failingId = failing.id;
  } finally {
    await store.close();
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await Promise.all(upstreams.map((u) => u.close()));
});

async function open(id: string, initScript?: string): Promise<Page> {
  if (!browser || !harness) throw new Error('not set up');
  const page = await (await browser.newContext({ viewport: LAPTOP })).newPage();
  if (initScript) await page.addInitScript(initScript);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${harness.report}/discrepancies/${id}`);
  await page.locator('#main[aria-busy="false"]').waitFor({ timeout: 15_000 });
  return page;
}

describe('discrepancy page with hostile bodies', () => {
  it('shows JSON nested 10,000 levels deep, folded with a note, in every panel', async () => {
    const detail = (await (await fetch(`${harness!.report}/api/v1/discrepancies/${deepId}`)).json()) as { primary: { body: string }; shadow: { body: string } };
    // The evidence really is 10,000 levels deep.
    expect(detail.primary.body.match(/\{/g)).toHaveLength(DEPTH);
    expect(detail.shadow.body.match(/\{/g)).toHaveLength(DEPTH);

    const page = await open(deepId);
    for (const side of ['#primary', '#shadow']) {
      const body = page.locator(`${side} pre.body`);
      await body.waitFor();
      const text = (await body.textContent()) ?? '';
      expect(text).toContain('"deep": {');
      expect(text).toContain('"a": {');
      expect(text).toContain('{…}');
      await expect.poll(() => page.locator(`${side} .fold-note`).textContent()).toMatch(/folded/);
      // The whole body stays readable as raw text.
      expect(((await page.locator(`${side} pre.raw-body`).textContent()) ?? '').match(/\{/g)).toHaveLength(DEPTH);
    }
    expect(await page.locator('#differences-table tbody tr').count()).toBe(2);
    // The visual diff says why it is not drawn instead of staying empty.
    await expect.poll(() => page.locator('#visual-diff').textContent()).toMatch(/levels/);
    expect(await page.locator('.render-error').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows bidi and control characters escaped, never raw', async () => {
    const page = await open(bidiId);
    await page.locator('#differences-table tbody tr').first().waitFor();
    const shadowValue = (await page.locator('#differences-table td.value-shadow').first().textContent()) ?? '';
    expect(shadowValue).toContain('\\u202E');
    expect(shadowValue).not.toContain(RLO);
    const shadowBody = (await page.locator('#shadow pre.body').textContent()) ?? '';
    expect(shadowBody).toContain('invoice-\\u202Efdp.exe');
    expect(shadowBody).toContain('zero\\u200Bwidth');
    expect(shadowBody).toContain('bell\\u0007');
    await page.locator('#visual-diff .jsondiffpatch-delta').waitFor();
    const visible = (await page.locator('body').textContent()) ?? '';
    for (const raw of [RLO, '\u200B', '\u0007']) expect(visible).not.toContain(raw);
    expect(visible).toContain('\\u202E');
    expect(await page.title()).not.toContain(RLO);
    expect(pageErrors).toEqual([]);
  });

  it('says so in the panel when rendering fails, instead of leaving it empty', async () => {
    // Any renderer failure (a stack overflow, say): JSON.stringify throws on the key of these bodies.
    const sabotage = `{ const stringify = JSON.stringify; JSON.stringify = (...a) => { if (a[0] === 'explode') throw new RangeError('Maximum call stack size exceeded'); return stringify(...a); }; }`;
    const page = await open(failingId, sabotage);
    for (const side of ['#primary', '#shadow']) {
      await expect.poll(() => page.locator(`${side} .render-error`).textContent()).toMatch(/could not be shown.*RangeError: Maximum call stack/);
      expect(await page.locator(`${side} pre.raw-body`).textContent()).toMatch(/"explode":/);
      expect(await page.locator(`${side} .status`).textContent()).toBe('200');
    }
    await page.locator('#visual-diff .jsondiffpatch-delta').waitFor();
    expect(await page.locator('#differences-table tbody tr').count()).toBe(1);
  });
});
