/**
 * The store benchmark's tables and targets, as markdown lines: printed by bench/run.ts and written
 * between the `store-bench` markers of docs/benchmarks.md (one command regenerates both).
 */
import type { GrowthKindResult } from './store-growth.js';
import { growthHeld } from './store-growth.js';
import type { StoreBenchResult, StoreKindResult } from './store.js';
import { formatBytes } from './support/store-size.js';

export interface Verdict {
  target: string;
  met: boolean | null;
  numbers: string;
}

export const READ_P99_LIMIT_MS = 50;
export const READ_GROWTH_LIMIT = 1.5;
export const SQLITE_WRITE_TARGET = 20_000;
export const FULL_SIZE = 10_000_000;

const f0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(0));
const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));

/** 10000 → "10 k", 1000000 → "1 M", 2500000 → "2.5 M". */
export function sizeLabel(n: number): string {
  const short = (v: number) => String(Number(v.toFixed(1)));
  if (n >= 1_000_000) return `${short(n / 1_000_000)} M`;
  if (n >= 1_000) return `${short(n / 1_000)} k`;
  return String(n);
}

const storeName = (kind: string) => (kind === 'sqlite' ? 'SQLite' : 'PostgreSQL');

function kindTable(k: StoreKindResult): string[] {
  const lines = [`### ${storeName(k.kind)}`, ''];
  if (k.error) lines.push(`Not measured: ${k.error}`, '');
  if (k.stages.length === 0) return lines;
  const first = k.stages[0]!;
  const last = k.stages[k.stages.length - 1]!;
  const ratio = k.stages.length > 1;
  lines.push(
    `| p50 / p99 ms | ${k.stages.map((s) => `${sizeLabel(s.size)} stored`).join(' | ')} |${ratio ? ` p99 ${sizeLabel(last.size)} / ${sizeLabel(first.size)} |` : ''}`,
    `|---|${k.stages.map(() => '---:|').join('')}${ratio ? '---:|' : ''}`,
  );
  for (const route of first.routes) {
    const cells = k.stages.map((s) => {
      const r = s.routes.find((x) => x.key === route.key);
      return r?.timing ? `${f1(r.timing.p50Ms)} / ${f1(r.timing.p99Ms)}` : `failed`;
    });
    const a = first.routes.find((x) => x.key === route.key)?.timing?.p99Ms;
    const b = last.routes.find((x) => x.key === route.key)?.timing?.p99Ms;
    lines.push(`| ${route.label} | ${cells.join(' | ')} |${ratio ? ` ${a && b ? `${(b / a).toFixed(2)}×` : '–'} |` : ''}`);
  }
  lines.push(`| recordBatch, comparisons/s (this stage's seeding) | ${k.stages.map((s) => f0(s.writeRate)).join(' | ')} |${ratio ? ' |' : ''}`);
  lines.push(`| purging ids older than a day, s (this stage) | ${k.stages.map((s) => s.purgeSeconds.toFixed(1)).join(' | ')} |${ratio ? ' |' : ''}`);
  lines.push(`| store size | ${k.stages.map((s) => formatBytes(s.sizeBytes)).join(' | ')} |${ratio ? ' |' : ''}`);
  for (const s of k.stages) for (const r of s.routes.filter((x) => x.error)) lines.push('', `At ${sizeLabel(s.size)}, ${r.label}: ${r.error}`);
  lines.push('');
  return lines;
}

function growthTable(g: GrowthKindResult): string[] {
  const lines = [`### Report growth under real traffic, ${storeName(g.kind)}`, ''];
  if (g.error) lines.push(`Not measured: ${g.error}`, '');
  const routes = g.runs[0]?.routes ?? [];
  if (routes.length === 0) return lines;
  lines.push(
    `| flat-out load through \`start\` | req/s | stored | ${routes.map((r) => `${r.label} p50 / p99 ms`).join(' | ')} |`,
    `|---|---:|---:|${routes.map(() => '---:|').join('')}`,
  );
  for (const run of g.runs) {
    const cells = routes.map((r) => {
      const t = run.routes.find((x) => x.key === r.key)?.timing;
      return t ? `${f1(t.p50Ms)} / ${f1(t.p99Ms)}` : 'failed';
    });
    lines.push(`| ${run.seconds} s | ${f0(run.wrk.rps)} | ${run.stored}${run.settled.settled ? '' : ' (NOT settled)'} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

export function storeVerdicts(r: StoreBenchResult | undefined, growth: GrowthKindResult[] | undefined): Verdict[] {
  const v: Verdict[] = [];
  for (const k of r?.kinds ?? []) {
    const first = k.stages[0];
    const last = k.stages[k.stages.length - 1];
    const name = storeName(k.kind);
    if (!first || !last) {
      v.push({ target: `${name}: every read route < ${READ_P99_LIMIT_MS} ms p99`, met: null, numbers: k.error ?? 'not run' });
      continue;
    }
    const at = last.size >= FULL_SIZE ? sizeLabel(last.size) : `${sizeLabel(last.size)} (a quick run: the target is at ${sizeLabel(FULL_SIZE)})`;
    const slowest = [...last.routes].sort((a, b) => (b.timing?.p99Ms ?? Infinity) - (a.timing?.p99Ms ?? Infinity))[0];
    v.push({
      target: `${name}: every read route < ${READ_P99_LIMIT_MS} ms p99 at ${at}`,
      met: last.routes.every((x) => x.timing !== null && x.timing.p99Ms < READ_P99_LIMIT_MS),
      numbers: slowest ? `slowest: ${slowest.label} ${slowest.timing ? `${f1(slowest.timing.p99Ms)} ms` : `failed (${slowest.error ?? ''})`}` : '–',
    });
    if (k.stages.length > 1) {
      const ratios = last.routes.map((x) => {
        const base = first.routes.find((y) => y.key === x.key)?.timing?.p99Ms;
        return { label: x.label, ratio: x.timing && base ? x.timing.p99Ms / base : Infinity };
      });
      const over = ratios.filter((x) => !(x.ratio <= READ_GROWTH_LIMIT));
      v.push({
        target: `${name}: every read route's p99 at ${sizeLabel(last.size)} ≤ ${READ_GROWTH_LIMIT}× its p99 at ${sizeLabel(first.size)}`,
        met: over.length === 0,
        numbers: over.length === 0 ? 'all within' : `over: ${over.map((x) => `${x.label} ${Number.isFinite(x.ratio) ? `${x.ratio.toFixed(2)}×` : 'failed'}`).join(', ')}`,
      });
    }
    if (k.kind === 'sqlite') {
      const stored = k.stages.reduce((a, s) => a + s.stored, 0);
      const seconds = k.stages.reduce((a, s) => a + s.writeSeconds, 0);
      const rate = stored / seconds;
      v.push({
        target: `SQLite: the batched write path (recordBatch) ≥ ${SQLITE_WRITE_TARGET.toLocaleString('en')} comparisons/s`,
        met: rate >= SQLITE_WRITE_TARGET,
        numbers: `${f0(rate)} /s over all ${stored.toLocaleString('en')} (per stage: ${k.stages.map((s) => f0(s.writeRate)).join(', ')})`,
      });
    }
  }
  for (const g of growth ?? []) {
    const held = growthHeld(g.runs);
    const first = g.runs[0];
    const last = g.runs[g.runs.length - 1];
    v.push({
      target: `${storeName(g.kind)}: after ${g.seconds.at(-1) ?? '?'} s of flat-out load through \`start\` the report routes take no longer than after ${g.seconds[0] ?? '?'} s (p50 ≤ 1.2× + 1 ms)`,
      met: held.met,
      numbers: held.worst
        ? `${first?.stored} → ${last?.stored} stored; the most grown: ${held.worst.label} ${f1(held.worst.short)} → ${f1(held.worst.long)} ms p50`
        : (g.error ?? 'not run'),
    });
  }
  return v;
}

export function verdictLines(v: readonly Verdict[]): string[] {
  return ['| target | result | numbers |', '|---|---|---|', ...v.map((x) => `| ${x.target} | ${x.met === null ? 'NOT RUN' : x.met ? 'MET' : 'NOT MET'} | ${x.numbers} |`)];
}

/** The whole section: what was run, the tables, the targets. */
export function storeSection(header: readonly string[], r: StoreBenchResult | undefined, growth: GrowthKindResult[] | undefined): string[] {
  const lines = ['```', ...header, '```', ''];
  if (r) {
    lines.push(
      `Seeded through \`recordBatch\` in batches of ${r.batch}; each route called ${r.warmupCalls} times to warm up, then ${r.calls} times, one after the other, through \`app.inject\` on the report app (routing, validation and serialisation included).`,
      '',
    );
    for (const k of r.kinds) lines.push(...kindTable(k));
  }
  for (const g of growth ?? []) lines.push(...growthTable(g));
  lines.push('#### Store targets', '', ...verdictLines(storeVerdicts(r, growth)));
  return lines;
}
