/** Replay's pacing against a real candidate: no abort listener piles up on the caller's signal. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { runReplay } from '../../libs/replay/replay-runner.js';
import type { RecordedExchange } from '../../libs/replay/formats/recorded-exchange.js';
import { json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';

const scope = useScope();

const recorded = (i: number): RecordedExchange => ({
  position: i,
  startedAt: Date.now(),
  request: { method: 'GET', url: `/items/${i}`, headers: { host: 'x' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
  response: { status: 200, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false }, latencyMs: 1 },
  origin: null,
});

describe('replay pacing', () => {
  it('leaves no abort listener behind per paced request', async () => {
    const candidate = await scope.upstream((_req, res) => json(res, 200, { ok: true }));
    const queue = createEmbeddedQueue({ maxBacklog: 1000 });
    scope.defer(() => queue.close());
    const abort = new AbortController();
    const progress = await runReplay({
      exchanges: Array.from({ length: 20 }, (_, i) => recorded(i + 1)),
      candidate: candidate.url,
      baseline: 'recorded',
      run: 'paced',
      rate: 200,
      concurrency: 4,
      allowUnsafe: false,
      timeoutMs: 5000,
      captureMaxBytes: 1024 * 1024,
      publisher: queue.publisher,
      signal: abort.signal,
    });
    expect(progress.sent).toBe(20);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
