/**
 * Turns a finished pair into an exchange job: redacts secrets, then publishes. A publish that
 * fails counts the pair as dropped with its reason; nothing here can reach the client.
 */
import type { JobPublisher } from '../queue/queue.js';
import { JOB_CONTRACT_VERSION, JOB_NAMES } from '../exchange/contracts.js';
import { QueueFullError } from '../queue/queue-errors.js';
import type { CapturedResponse, Exchange } from '../exchange/exchange.js';
import type { DropCounter } from './drop-counter.js';
import { DEFAULT_REDACTED_HEADERS, redactHeaders } from '../http/redact-headers.js';

export class ExchangeRecorder {
  private readonly redacted: ReadonlySet<string>;
  /** Pairs recorded (published), for the admin counters. */
  published = 0;

  constructor(
    private readonly publisher: JobPublisher,
    private readonly drops: DropCounter,
    redactedHeaders: readonly string[] = DEFAULT_REDACTED_HEADERS,
  ) {
    this.redacted = new Set(redactedHeaders.map((h) => h.toLowerCase()));
  }

  private redactResponse(r: CapturedResponse | null): CapturedResponse | null {
    return r && { ...r, headers: redactHeaders(r.headers, this.redacted) };
  }

  async record(exchange: Exchange): Promise<void> {
    const safe: Exchange = {
      ...exchange,
      request: { ...exchange.request, headers: redactHeaders(exchange.request.headers, this.redacted) },
      primary: this.redactResponse(exchange.primary) as CapturedResponse,
      shadow: this.redactResponse(exchange.shadow),
      ...(exchange.secondary !== undefined ? { secondary: this.redactResponse(exchange.secondary) } : {}),
      // A redacted Host must not travel beside the headers either.
      hosts: this.redacted.has('host') ? undefined : exchange.hosts,
    };
    try {
      await this.publisher.publish(JOB_NAMES.compareExchange, safe.id, { v: JOB_CONTRACT_VERSION, exchange: safe });
      this.published++;
    } catch (error) {
      this.drops.add(exchange.run, error instanceof QueueFullError ? 'queue_backlog_limit' : 'queue_unavailable');
    }
  }
}
