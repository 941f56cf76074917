/** JSON schemas of the report API: requests are validated and responses serialized through them. */

export const runQuery = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
  description: 'Run name; defaults to the configured run.',
} as const;

export const errorResponse = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    parameter: { type: 'string' },
  },
  required: ['error', 'code', 'message'],
} as const;

const headerMap = { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } } as const;
const storedResponse = (withError: boolean) =>
  ({
    type: 'object',
    properties: {
      status: { type: ['integer', 'null'] },
      headers: headerMap,
      latencyMs: { type: ['number', 'null'] },
      ...(withError ? { error: { type: ['string', 'null'] } } : {}),
      body: { type: ['string', 'null'] },
      bodyEncoding: { type: 'string', enum: ['utf8', 'base64'] },
      bodySize: { type: 'integer' },
      bodyTruncated: { type: 'boolean' },
    },
    required: ['status', 'headers', 'body', 'latencyMs', ...(withError ? ['error'] : [])],
  }) as const;

const differenceItem = (other: 'shadow' | 'secondary') =>
  ({
    type: 'object',
    properties: {
      path: { type: 'string' },
      field: { type: 'string' },
      kind: { type: 'string' },
      risk: { type: 'string' },
      primary: {},
      [other]: {},
      ...(other === 'shadow' ? { noise: { type: 'boolean' } } : {}),
      detail: { type: 'string' },
    },
    required: ['path', 'kind', 'primary', other],
  }) as const;

const storedBody = {
  body: { type: ['string', 'null'] },
  bodyEncoding: { type: 'string', enum: ['utf8', 'base64'] },
  bodySize: { type: 'integer' },
  bodyTruncated: { type: 'boolean' },
} as const;

const percentiles = {
  type: 'object',
  properties: { p50: { type: ['number', 'null'] }, p95: { type: ['number', 'null'] }, p99: { type: ['number', 'null'] } },
  required: ['p50', 'p95', 'p99'],
} as const;

const skippedByReason = {
  type: 'object',
  description: 'Skipped exchanges by reason, e.g. { "comparator_error": 2 }',
  additionalProperties: { type: 'integer' },
} as const;

const endpointCap = {
  type: 'object',
  description: 'The per-run endpoint cap (--max-endpoints); reached once new templates were counted under the endpoint OTHER (a route rule can name them)',
  properties: { max: { type: 'integer' }, reached: { type: 'boolean' } },
  required: ['max', 'reached'],
} as const;

export const summaryResponse = {
  type: 'object',
  properties: {
    run: { type: 'string' },
    compared: { type: 'integer' },
    matched: { type: 'integer' },
    mismatched: { type: 'integer' },
    mismatchRate: { type: 'number' },
    skipped: { type: 'integer' },
    shadowErrors: { type: 'integer' },
    dropped: { type: 'integer' },
    skippedByReason,
    endpointCap,
  },
  required: ['run', 'compared', 'matched', 'mismatched', 'mismatchRate', 'skipped', 'shadowErrors', 'dropped', 'skippedByReason', 'endpointCap'],
} as const;

export const endpointsResponse = {
  type: 'object',
  properties: {
    run: { type: 'string' },
    endpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          endpoint: { type: 'string' },
          compared: { type: 'integer' },
          mismatched: { type: 'integer' },
          mismatchRate: { type: 'number' },
          skipped: { type: 'integer' },
          skippedByReason,
          shadowErrors: { type: 'integer' },
          comparedWithSecondary: { type: 'integer' },
          byRisk: {
            type: 'object',
            properties: { high: { type: 'integer' }, medium: { type: 'integer' }, low: { type: 'integer' } },
            required: ['high', 'medium', 'low'],
          },
          latency: {
            type: 'object',
            description: 'Milliseconds to the last byte over the compared exchanges: nearest-rank percentiles of a log-linear histogram (the upper bound of the bin)',
            properties: { primary: percentiles, shadow: percentiles },
            required: ['primary', 'shadow'],
          },
          fields: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                path: { type: 'string' },
                mismatches: { type: 'integer' },
                shadowDiffs: { type: 'integer' },
                secondaryDiffs: { type: 'integer' },
                noise: { type: 'boolean' },
              },
              required: ['path', 'mismatches', 'shadowDiffs', 'secondaryDiffs', 'noise'],
            },
          },
          rules: {
            type: 'array',
            description: 'Rules applied to this endpoint; hits 0 means the rule matched nothing in its traffic (dead).',
            items: {
              type: 'object',
              properties: { rule: { type: 'string' }, evaluated: { type: 'integer' }, hits: { type: 'integer' } },
              required: ['rule', 'evaluated', 'hits'],
            },
          },
        },
        required: ['endpoint', 'compared', 'mismatched', 'mismatchRate', 'skipped', 'shadowErrors', 'comparedWithSecondary', 'byRisk', 'latency', 'fields', 'rules'],
      },
    },
    endpointCap,
  },
  required: ['run', 'endpoints', 'endpointCap'],
} as const;

export const discrepancyListResponse = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          run: { type: 'string' },
          endpoint: { type: 'string' },
          method: { type: 'string' },
          url: { type: 'string' },
          primaryStatus: { type: 'integer' },
          shadowStatus: { type: ['integer', 'null'] },
          paths: { type: 'array', items: { type: 'string' } },
          risk: { type: 'string', enum: ['low', 'medium', 'high'] },
          createdAt: { type: 'string', format: 'date-time' },
        },
        required: ['id', 'run', 'endpoint', 'method', 'url', 'primaryStatus', 'shadowStatus', 'paths', 'risk', 'createdAt'],
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
  required: ['items', 'nextCursor'],
} as const;

export const discrepancyDetailResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    run: { type: 'string' },
    endpoint: { type: 'string' },
    risk: { type: 'string' },
    createdAt: { type: 'string' },
    request: {
      type: 'object',
      properties: { method: { type: 'string' }, url: { type: 'string' }, headers: headerMap, ...storedBody },
      required: ['method', 'url', 'headers', 'body'],
    },
    primary: {
      type: 'object',
      properties: { status: { type: 'integer' }, headers: headerMap, latencyMs: { type: 'number' }, ...storedBody },
      required: ['status', 'headers', 'body', 'latencyMs'],
    },
    shadow: storedResponse(true),
    secondary: { anyOf: [{ type: 'null' }, storedResponse(true)] },
    differences: { type: 'array', items: differenceItem('shadow') },
    secondaryDifferences: { type: 'array', items: differenceItem('secondary') },
    differencesTotal: { type: 'integer', description: 'Shadow differences found; past 1,000 only the first 1,000 (by risk, then path) are listed' },
    secondaryDifferencesTotal: { type: 'integer', description: 'Secondary differences found' },
    differencesTruncated: { type: 'boolean', description: 'True when a list holds fewer differences than were found' },
  },
  required: ['id', 'run', 'endpoint', 'request', 'primary', 'shadow', 'secondary', 'differences', 'secondaryDifferences'],
} as const;

export const runsResponse = {
  type: 'object',
  properties: {
    runs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          run: { type: 'string' },
          kind: { type: 'string', enum: ['live', 'replay'] },
          compared: { type: 'integer' },
          mismatched: { type: 'integer' },
          mismatchRate: { type: 'number' },
          firstSeenAt: { type: 'string', format: 'date-time' },
          lastSeenAt: { type: 'string', format: 'date-time' },
        },
        required: ['run', 'kind', 'compared', 'mismatched', 'mismatchRate', 'firstSeenAt', 'lastSeenAt'],
      },
    },
  },
  required: ['runs'],
} as const;

const gateData = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['pass', 'fail', 'inconclusive'] },
    pass: { type: 'boolean' },
    run: { type: 'string' },
    endpoint: { type: ['string', 'null'] },
    compared: { type: 'integer' },
    mismatched: { type: 'integer' },
    mismatchRate: { type: 'number' },
    maxMismatchRate: { type: 'number' },
    minSamples: { type: 'integer' },
    maxEndpointMismatchRate: { type: ['number', 'null'] },
    failingEndpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: { endpoint: { type: 'string' }, compared: { type: 'integer' }, mismatched: { type: 'integer' }, mismatchRate: { type: 'number' } },
        required: ['endpoint', 'compared', 'mismatched', 'mismatchRate'],
      },
    },
    since: { type: ['string', 'null'] },
    until: { type: ['string', 'null'] },
    baseline: { type: ['string', 'null'], description: 'The run new fields were counted against (baseline), or null' },
    baselineCompared: { type: ['integer', 'null'], description: 'Comparisons in the baseline run over the same window and endpoint' },
    maxNewFields: { type: ['integer', 'null'] },
    newFields: {
      type: 'array',
      description: 'Fields that differ in the run and never in the baseline run',
      items: {
        type: 'object',
        properties: { endpoint: { type: 'string' }, path: { type: 'string' }, headMismatches: { type: 'integer' } },
        required: ['endpoint', 'path', 'headMismatches'],
      },
    },
    reasons: { type: 'array', items: { type: 'string' } },
  },
  required: ['verdict', 'pass', 'run', 'compared', 'mismatched', 'mismatchRate', 'maxMismatchRate', 'minSamples', 'reasons'],
} as const;

export const gateResponse = { type: 'object', properties: { data: gateData }, required: ['data'] } as const;

const nullableMs = { type: ['number', 'null'] } as const;

export const timelineResponse = {
  type: 'object',
  properties: {
    run: { type: 'string' },
    endpoint: { type: ['string', 'null'] },
    bucketSeconds: { type: 'integer', description: 'The width of a point: minute buckets merged to 1, 5, 15 or 30 min, 1, 3, 6 or 12 h, or whole days, so that a window has at most 300 points' },
    points: {
      type: 'array',
      description: 'Oldest first, one per bucketSeconds, empty ones included (zeros, null latency); they add up to the summary of the same window',
      items: {
        type: 'object',
        properties: {
          t: { type: 'string', format: 'date-time', description: "The point's start" },
          compared: { type: 'integer' },
          mismatched: { type: 'integer', description: 'After noise, decided over the whole window' },
          mismatchRate: { type: 'number' },
          shadowErrors: { type: 'integer' },
          skipped: { type: 'integer' },
          primaryP99Ms: nullableMs,
          shadowP99Ms: nullableMs,
        },
        required: ['t', 'compared', 'mismatched', 'mismatchRate', 'shadowErrors', 'skipped', 'primaryP99Ms', 'shadowP99Ms'],
      },
    },
  },
  required: ['run', 'endpoint', 'bucketSeconds', 'points'],
} as const;

const runCounts = {
  type: 'object',
  properties: { compared: { type: 'integer' }, mismatched: { type: 'integer' }, mismatchRate: { type: 'number' } },
  required: ['compared', 'mismatched', 'mismatchRate'],
} as const;

export const FIELD_STATUSES = ['new', 'fixed', 'persisting'] as const;

export const compareResponse = {
  type: 'object',
  properties: {
    base: { type: 'string' },
    head: { type: 'string' },
    endpoints: {
      type: 'array',
      description: 'Endpoints with new fields first, then with fixed ones',
      items: {
        type: 'object',
        properties: {
          endpoint: { type: 'string' },
          presence: { type: 'string', enum: ['both', 'base', 'head'], description: 'base or head: only that run compared exchanges on this endpoint' },
          base: runCounts,
          head: runCounts,
          fields: {
            type: 'array',
            description: 'new (differs in head, never in base), then fixed (differed in base, never in head), then persisting',
            items: {
              type: 'object',
              properties: {
                path: { type: 'string' },
                status: { type: 'string', enum: FIELD_STATUSES },
                baseMismatches: { type: 'integer' },
                headMismatches: { type: 'integer' },
              },
              required: ['path', 'status', 'baseMismatches', 'headMismatches'],
            },
          },
        },
        required: ['endpoint', 'presence', 'base', 'head', 'fields'],
      },
    },
  },
  required: ['base', 'head', 'endpoints'],
} as const;
