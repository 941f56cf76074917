/**
 * Comparisons per second of the comparator's diff (decode, parse, structural diff, rules, risk)
 * against a bare jsondiffpatch.diff loop on the same, already parsed pairs.
 *
 *   node --import tsx bench/compare-throughput.ts [--seconds 2]
 */
import { create } from 'jsondiffpatch';
import { capturedBody, EMPTY_BODY } from '../libs/http/body.js';
import { compareExchange } from '../libs/compare/index.js';
import type { Exchange } from '../libs/exchange/exchange.js';
import { payloadPairs } from './payloads.js';

function rate(fn: () => void, seconds: number): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let n = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return n / ((performance.now() - started) / 1000);
}

const body = (v: unknown) => capturedBody(Buffer.from(JSON.stringify(v)));

export function compareThroughput(seconds = 2): { label: string; bytes: number; pipeline: number; bare: number }[] {
  const differ = create();
  return payloadPairs().map(({ label, primary, shadow, bytes }) => {
    const exchange: Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError'> = {
      request: { method: 'GET', url: '/catalogue?page=1', headers: {}, body: EMPTY_BODY },
      primary: { status: 200, headers: { 'content-type': 'application/json' }, body: body(primary), latencyMs: 1 },
      shadow: { status: 200, headers: { 'content-type': 'application/json' }, body: body(shadow), latencyMs: 1 },
      shadowError: null,
    };
    const pipeline = rate(() => compareExchange(exchange), seconds);
    const bare = rate(() => differ.diff(primary, shadow), seconds);
    return { label, bytes, pipeline, bare };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secondsArg = process.argv.indexOf('--seconds');
  const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2;
  console.log('| payload | bytes | compareExchange /s | bare jsondiffpatch.diff /s | ratio |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of compareThroughput(seconds)) {
    console.log(`| ${r.label} | ${r.bytes} | ${r.pipeline.toFixed(0)} | ${r.bare.toFixed(0)} | ${((r.pipeline / r.bare) * 100).toFixed(0)}% |`);
  }
}
