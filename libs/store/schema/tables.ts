/**
 * The store's tables, declared once for both dialects: `defineTables` is called with SQLite's column
 * builders (schema/sqlite.ts) and with PostgreSQL's (schema/pg.ts), and drizzle-kit generates each
 * dialect's migrations from its own file. Queries are dialect-neutral SQL (libs/store/db.ts), so the
 * column types stay the common subset: text, 32-bit integers, 64-bit integers as JS numbers (epoch
 * ms, counts), flags as 0/1 integers and JSON as text.
 *
 * What the report reads is the rollups: counts per run, endpoint and minute bucket, written in the
 * same transaction as the exchange's outcome. Exchanges themselves are not kept: only their ids, for
 * a day (idempotence), and the evidence of discrepancies and the captures, bounded by retention.
 */

/** The column and table builders of one dialect. */
export interface Builders {
  table: (name: string, columns: Record<string, unknown>, extra?: (t: Record<string, unknown>) => unknown[]) => unknown;
  text: (name: string) => Column;
  /** 32-bit integer: statuses, sequence numbers, flags, histogram bins. */
  int: (name: string) => Column;
  /** 64-bit integer read as a JS number: epoch ms, counts. */
  long: (name: string) => Column;
  /** Floating point: latencies in ms. */
  real: (name: string) => Column;
  index: (name: string) => { on: (...columns: unknown[]) => unknown };
  primaryKey: (config: { columns: unknown[] }) => unknown;
}

/** The subset of drizzle's column builder chain used here (both dialects have it). */
export interface Column {
  notNull(): Column;
  primaryKey(): Column;
  default(value: unknown): Column;
}

type T = Record<string, unknown>;

export function defineTables(b: Builders) {
  const key = (name: string) => b.text(name).notNull();
  const count = (name: string) => b.long(name).notNull().default(0);
  /**
   * Every rollup is keyed by run, span (the bucket's length: minute, hour, day, or 0 for the run's
   * total; buckets.ts), the bucket's start and the endpoint: a window reads whole days, hours at its
   * edges and minutes at the very edges, and no window reads the totals.
   */
  const rollupKey = () => ({ run: key('run'), span: b.long('span').notNull(), bucket: b.long('bucket').notNull(), endpoint: key('endpoint') });

  return {
    /** A named comparison: live mirroring, or one replay (kind and source: run-claims.ts). */
    runs: b.table('runs', {
      name: b.text('name').primaryKey(),
      kind: key('kind'),
      /** `live`, `run:<name>`, `har:<file>`, `gor:<file>`. */
      source: b.text('source'),
      createdAt: b.long('created_at').notNull(),
    }),

    /** Values that belong to the store itself, e.g. its redaction key. */
    storeMeta: b.table('store_meta', {
      key: b.text('key').primaryKey(),
      value: key('value'),
    }),

    /**
     * Ids of the exchanges recorded, kept for a day: a redelivered job (BullMQ redelivers within its
     * lock time) is recognised and counted once. Purged through the seen_at index.
     */
    exchangeIds: b.table(
      'exchange_ids',
      { id: b.text('id').primaryKey(), seenAt: b.long('seen_at').notNull() },
      (t: T) => [b.index('exchange_ids_seen').on(t.seenAt)],
    ),

    /** Counts per run, span, bucket and endpoint: what summary, endpoints, gate, runs and metrics read. */
    rollups: b.table(
      'rollups',
      {
        ...rollupKey(),
        /** Exchanges compared (matched or not), before noise. */
        compared: count('compared'),
        skipped: count('skipped'),
        /** Compared exchanges whose shadow failed (5xx, timeout, connection error). */
        shadowErrors: count('shadow_errors'),
        /** Compared exchanges that had a secondary (A/A) response too: N of the noise rule. */
        withSecondary: count('with_secondary'),
        /** Compared exchanges with a shadow difference that counts before noise (not cancelled). */
        differing: count('differing'),
        firstAt: b.long('first_at').notNull(),
        lastAt: b.long('last_at').notNull(),
      },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint] })],
    ),

    /** Skipped exchanges by reason. */
    skipRollups: b.table(
      'skip_rollups',
      { ...rollupKey(), reason: key('reason'), count: count('count') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint, t.reason] })],
    ),

    /**
     * Per field (`$.items[*].price`, `header.etag`, `status`): exchanges whose shadow differed there
     * (cancelled or not), those whose difference counts (not cancelled by the secondary on its own
     * request), and those whose secondary differed there. Diffy's noise rule reads these.
     */
    fieldRollups: b.table(
      'field_rollups',
      { ...rollupKey(), field: key('field'), shadowDiffs: count('shadow_diffs'), counting: count('counting'), secondaryDiffs: count('secondary_diffs') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint, t.field] })],
    ),

    /**
     * Signatures: the set of fields whose shadow difference counted in one exchange, each with its
     * highest risk. Few distinct ones exist; counted per bucket, they decide at report time which
     * exchanges are mismatched once the noise fields of the window are known.
     */
    signatures: b.table('signatures', {
      hash: b.text('hash').primaryKey(),
      /** JSON: [[field, riskRank 1|2|3], …] sorted by field. */
      fields: key('fields'),
    }),
    signatureRollups: b.table(
      'signature_rollups',
      { ...rollupKey(), signature: key('signature'), count: count('count') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint, t.signature] })],
    ),

    /** Latency to the last byte as a fixed log-linear histogram (libs/store/latency-bins.ts). */
    latencyRollups: b.table(
      'latency_rollups',
      { ...rollupKey(), side: key('side'), bin: b.int('bin').notNull(), count: count('count') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint, t.side, t.bin] })],
    ),

    /**
     * The same histogram for the whole run, all endpoints merged, per bucket: the run's timeline reads
     * its p99 per point from here, a row per bin, instead of merging every endpoint's bins at report time.
     */
    runLatencyRollups: b.table(
      'run_latency_rollups',
      { run: key('run'), span: b.long('span').notNull(), bucket: b.long('bucket').notNull(), side: key('side'), bin: b.int('bin').notNull(), count: count('count') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.side, t.bin] })],
    ),

    /** Rule evaluations and hits: a rule that never hits is dead. */
    ruleRollups: b.table(
      'rule_rollups',
      { ...rollupKey(), rule: key('rule'), evaluated: count('evaluated'), hits: count('hits') },
      (t: T) => [b.primaryKey({ columns: [t.run, t.span, t.bucket, t.endpoint, t.rule] })],
    ),

    /** Pairs lost before the queue, as reported by the ingresses; a report id is counted once. */
    drops: b.table(
      'drops',
      { reportId: key('report_id'), run: key('run'), reason: key('reason'), count: b.long('count').notNull(), reportedAt: b.long('reported_at').notNull() },
      (t: T) => [b.primaryKey({ columns: [t.reportId, t.run, t.reason] }), b.index('drops_run_reported').on(t.run, t.reportedAt)],
    ),

    /** The evidence of a discrepancy: request and both responses (redacted, bodies capped). */
    discrepancies: b.table(
      'discrepancies',
      {
        id: b.text('id').primaryKey(),
        run: key('run'),
        endpoint: key('endpoint'),
        method: key('method'),
        url: key('url'),
        primaryStatus: b.int('primary_status').notNull(),
        shadowStatus: b.int('shadow_status'),
        /** JSON: { method, url, headers, body, bodyEncoding, bodySize, bodyTruncated } */
        request: key('request'),
        /** JSON: { status, headers, body, bodyEncoding, latencyMs, … } */
        primary: key('primary'),
        /** JSON: the shadow's response, with `secondary` (same shape) or null. */
        shadow: key('shadow'),
        /** JSON array of the counting difference paths, for the list. */
        paths: key('paths'),
        /** Highest risk before noise; the list derives the risk after noise from the signature. */
        risk: key('risk'),
        signature: key('signature'),
        receivedAt: b.long('received_at').notNull(),
        createdAt: b.long('created_at').notNull(),
        differencesTotal: b.int('differences_total').notNull(),
        secondaryDifferencesTotal: b.int('secondary_differences_total').notNull(),
      },
      (t: T) => [
        b.index('discrepancies_run_received').on(t.run, t.receivedAt, t.id),
        b.index('discrepancies_run_endpoint_received').on(t.run, t.endpoint, t.receivedAt, t.id),
        b.index('discrepancies_created').on(t.createdAt),
      ],
    ),

    /** The differences of a discrepancy (capped at 1,000 per side), both sides. */
    differences: b.table(
      'differences',
      {
        exchangeId: key('exchange_id'),
        seq: b.int('seq').notNull(),
        /** shadow | secondary */
        side: key('side'),
        /** 1 when the secondary showed the same difference on this request. */
        cancelled: b.int('cancelled').notNull().default(0),
        path: key('path'),
        field: key('field'),
        kind: key('kind'),
        risk: key('risk'),
        /** JSON-encoded values, capped. */
        primaryValue: b.text('primary_value'),
        otherValue: b.text('other_value'),
        detail: b.text('detail'),
      },
      (t: T) => [b.primaryKey({ columns: [t.exchangeId, t.seq] }), b.index('differences_exchange_field').on(t.exchangeId, t.field)],
    ),

    /** Captured traffic for replay, redacted, bounded by count and age. */
    captures: b.table(
      'captures',
      {
        id: b.text('id').primaryKey(),
        run: key('run'),
        endpoint: key('endpoint'),
        receivedAt: b.long('received_at').notNull(),
        /** JSON: { method, url, headers, body (base64), bodySize } */
        request: key('request'),
        /** JSON: { status, headers, body (base64), latencyMs }, or null when the primary's body was not kept whole. */
        response: b.text('response'),
      },
      (t: T) => [b.index('captures_run_received').on(t.run, t.receivedAt), b.index('captures_received').on(t.receivedAt)],
    ),
  };
}
