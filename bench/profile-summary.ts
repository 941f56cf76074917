/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`): self time by function and by
 * module (a package of node_modules, a file of this project, or node's internals), and the
 * inclusive time of the project's own functions.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile | dir> [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  bySelf: { name: string; ms: number; share: number }[];
  byModule: { name: string; ms: number; share: number }[];
  /** Inclusive time of functions defined in this project (libs/, services/). */
  byProjectInclusive: { name: string; ms: number; share: number }[];
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node internals';
  const m = url.match(/\/(libs|services|bench|test)\/.*$/);
  return m ? m[0].slice(1) : url;
}

export function summarizeProfile(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const self = new Map<string, number>();
  const mod = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const where = moduleOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${where}`;
    self.set(name, (self.get(name) ?? 0) + us);
    mod.set(where, (mod.get(where) ?? 0) + us);
    // Inclusive time of project functions: each project frame on the stack, once per sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || !/\/(libs|services)\//.test(f.url)) continue;
      const key = `${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, bySelf: rows(self), byModule: rows(mod), byProjectInclusive: rows(inclusive) };
}

export function profileFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f));
}

/** The busiest profile of a directory (a process with tsx writes one per thread). */
export function busiestProfile(path: string): { file: string; summary: ProfileSummary } | null {
  let best: { file: string; summary: ProfileSummary } | null = null;
  for (const file of profileFiles(path)) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    if (!best || summary.totalMs > best.summary.totalMs) best = { file, summary };
  }
  return best;
}

export function printSummary(s: ProfileSummary, top: number, out: (l: string) => void = console.log): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  out(`busy time sampled: ${(s.totalMs / 1000).toFixed(1)} s\n`);
  out('| module (self time) | ms | share |\n|---|---:|---:|');
  for (const r of s.byModule.slice(0, top)) out(`| ${r.name} | ${r.ms.toFixed(0)} | ${pct(r.share)} |`);
  out('\n| function (self time) | ms | share |\n|---|---:|---:|');
  for (const r of s.bySelf.slice(0, top)) out(`| ${r.name} | ${r.ms.toFixed(0)} | ${pct(r.share)} |`);
  out('\n| project function (inclusive) | ms | share |\n|---|---:|---:|');
  for (const r of s.byProjectInclusive.slice(0, top)) out(`| ${r.name} | ${r.ms.toFixed(0)} | ${pct(r.share)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile | dir> [--top 25]');
    process.exit(2);
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 25;
  const best = busiestProfile(path);
  if (!best) {
    console.error(`no .cpuprofile in ${path}`);
    process.exit(1);
  }
  console.log(`profile: ${best.file}`);
  printSummary(best.summary, top);
}
