/**
 * `npm run bench`: every benchmark, printed as the markdown tables of docs/benchmarks.md.
 * Ratios measured in one run are what count; absolute numbers vary between machines.
 */
import { cpus, totalmem } from 'node:os';
import { compareThroughput } from './compare-throughput.js';

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`date: ${new Date().toISOString()}\n`);

console.log('## Comparisons per second (bench/compare-throughput.ts)\n');
console.log('| payload | bytes | compareExchange /s | bare jsondiffpatch.diff /s | ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const r of compareThroughput()) {
  console.log(`| ${r.label} | ${r.bytes} | ${r.pipeline.toFixed(0)} | ${r.bare.toFixed(0)} | ${((r.pipeline / r.bare) * 100).toFixed(0)}% |`);
}
