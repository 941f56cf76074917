/**
 * shadow-diff started in-process (`start`) on ephemeral ports, over the embedded queue or a real
 * Redis, on a SQLite file (default) or a fresh PostgreSQL database (`extra.store: 'postgres'`, or a
 * postgres:// URL as the `db` override).
 */
import { inject } from 'vitest';
import { loadConfig } from '../../libs/config/load-config.js';
import type { OptionKey } from '../../libs/config/options.js';
import { createLogger } from '../../libs/logger.js';
import type { RunSummary } from '../../libs/store/index.js';
import { runAll, type Running } from '../../services/cli/run-services.js';
import { tempStoreLocation, type StoreKind } from './stores.js';
import { randomPrefix } from './temp.js';
import { waitFor } from './wait.js';

export type QueueKind = 'embedded' | 'bullmq';
export const QUEUE_KINDS: QueueKind[] = ['embedded', 'bullmq'];

export type Summary = RunSummary;

export interface Harness {
  ingress: string;
  report: string;
  /** The ingress's admin port (/metrics, /healthz), when started with adminListen. */
  admin?: string;
  /** The store: a SQLite file or a postgres:// URL. */
  db: string;
  running: Running;
  get<T = unknown>(path: string): Promise<T>;
  summary(run?: string): Promise<Summary>;
  /** Waits until `n` mirrored pairs are accounted for (compared + skipped + dropped). */
  settled(n: number, run?: string): Promise<Summary>;
  close(): Promise<void>;
}

export async function startHarness(
  kind: QueueKind,
  upstreams: { primary: string; shadow: string; secondary?: string },
  overrides: Partial<Record<OptionKey, string>> = {},
  extra: { configFile?: string; store?: StoreKind } = {},
): Promise<Harness> {
  const db = overrides.db ?? (await tempStoreLocation(extra.store ?? 'sqlite'));
  const config = loadConfig({
    flags: {
      primary: upstreams.primary,
      shadow: upstreams.shadow,
      ...(upstreams.secondary ? { secondary: upstreams.secondary } : {}),
      listen: '127.0.0.1:0',
      reportListen: '127.0.0.1:0',
      db,
      queuePrefix: randomPrefix(),
      logLevel: 'silent',
      ...(kind === 'bullmq' ? { redis: inject('redisUrl') } : {}),
      ...overrides,
    },
    env: {},
    configFile: extra.configFile,
  });
  const running = await runAll(config, createLogger('silent', 'test'));
  const report = running.urls.report as string;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(report + path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const summary = (run?: string) => get<Summary>(`/api/v1/summary${run ? `?run=${encodeURIComponent(run)}` : ''}`);
  return {
    ingress: running.urls.ingress as string,
    report,
    ...(running.urls.admin ? { admin: running.urls.admin } : {}),
    db,
    running,
    get,
    summary,
    settled: (n, run) =>
      waitFor(() => summary(run), (s) => s.compared + s.skipped + s.dropped >= n, 15_000, `${n} pairs accounted for`),
    close: () => running.close(),
  };
}
