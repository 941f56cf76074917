/**
 * Screenshots of the web report at 1366×768 for the docs, over the same seeded traffic as the browser
 * test: `node --import tsx test/browser/take-screenshots.ts` writes docs/screenshots/report.png,
 * discrepancy.png and compare.png (two replays of the live traffic against two candidates).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAPTOP, launchChromium } from './chromium.js';
import { BUCKET_MS, bucketOf } from '../../libs/store/buckets.js';
import { startUpstream } from '../support/upstream.js';
import { itemsCandidate, replayLive, seedReport } from './seed.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
mkdirSync(out, { recursive: true });

const candidates = [await startUpstream(itemsCandidate('price')), await startUpstream(itemsCandidate('currency'))];
const seeded = await seedReport({ replayAllow: candidates.map((c) => c.url).join(',') }, 1);
// Traffic in three minutes, so the timeline has a shape.
for (const round of [1, 2]) {
  await new Promise((r) => setTimeout(r, bucketOf(Date.now()) + BUCKET_MS - Date.now() + 10));
  await seeded.sendBatch(round);
}
await replayLive(seeded, 'v2.0', candidates[0]?.url as string);
await replayLive(seeded, 'v2.1', candidates[1]?.url as string);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: LAPTOP, deviceScaleFactor: 1 });
  const report = seeded.harness.report;

  await page.goto(`${report}/?run=live&since=PT12M`);
  await page.waitForSelector('#discrepancy-list tbody tr');
  await page.waitForSelector('#charts canvas');
  // The risk column fills in from the details: wait for it so the picture is complete.
  await page.locator('#discrepancy-list td.risk', { hasText: '…' }).first().waitFor({ state: 'detached' });
  await page.screenshot({ path: resolve(out, 'report.png') });

  // A discrepancy with a changed value and a removed field: the visual diff has something to show.
  const list = await seeded.get<{ items: { id: string; paths: string[] }[] }>('/api/v1/discrepancies?endpoint=GET%20/items/:id&limit=100');
  const pick = list.items.find((i) => i.paths.includes('$.name') && i.paths.includes('$.price')) ?? list.items[0];
  if (!pick) throw new Error('no discrepancy to show');
  await page.goto(`${report}/discrepancies/${encodeURIComponent(pick.id)}?endpoint=${encodeURIComponent('GET /items/:id')}`);
  await page.waitForSelector('#visual-diff .jsondiffpatch-delta');
  await page.screenshot({ path: resolve(out, 'discrepancy.png') });

  await page.goto(`${report}/compare?base=v2.0&head=v2.1`);
  await page.locator('#main:not([aria-busy])').waitFor();
  await page.screenshot({ path: resolve(out, 'compare.png'), fullPage: true });
  console.log(`wrote report.png, discrepancy.png and compare.png in ${out}`);
} finally {
  await browser.close();
  await seeded.close();
  for (const c of candidates) await c.close();
}
