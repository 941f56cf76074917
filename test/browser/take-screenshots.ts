/**
 * Screenshots of the web report at 1366×768 for the docs, over the same seeded traffic as the browser
 * test: `node --import tsx test/browser/take-screenshots.ts` writes docs/screenshots/report.png and
 * docs/screenshots/discrepancy.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAPTOP, launchChromium } from './chromium.js';
import { seedReport } from './seed.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
mkdirSync(out, { recursive: true });

const seeded = await seedReport({}, 2);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: LAPTOP, deviceScaleFactor: 1 });
  const report = seeded.harness.report;

  await page.goto(`${report}/`);
  await page.waitForSelector('#discrepancy-list tbody tr');
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
  console.log(`wrote ${resolve(out, 'report.png')} and ${resolve(out, 'discrepancy.png')}`);
} finally {
  await browser.close();
  await seeded.close();
}
