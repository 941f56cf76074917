/** Rule evaluations and hits per endpoint over the window. */
import { sql } from 'drizzle-orm';
import { num, type Db } from '../db.js';
import type { EndpointStats, TimeWindow } from './types.js';
import { inSpans } from './window.js';

export async function ruleCounts(db: Db, run: string, window: TimeWindow | undefined): Promise<Map<string, EndpointStats['rules']>> {
  const rows = await db.all<{ endpoint: string; rule: string; evaluated: unknown; hits: unknown }>(sql`
    select endpoint, rule, sum(evaluated) as evaluated, sum(hits) as hits from rule_rollups
    where ${inSpans(run, window)} group by endpoint, rule`);
  const out = new Map<string, EndpointStats['rules']>();
  for (const r of rows) {
    const list = out.get(r.endpoint) ?? [];
    list.push({ rule: r.rule, evaluated: num(r.evaluated), hits: num(r.hits) });
    out.set(r.endpoint, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.hits - b.hits || a.rule.localeCompare(b.rule));
  return out;
}
