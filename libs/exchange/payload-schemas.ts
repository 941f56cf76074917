/** Runtime validation of job payloads: a payload that fails here can never succeed, so it is not retried. */
import { z } from 'zod';
import { DROP_REASONS, RUN_KINDS, SHADOW_ERROR_CODES, SKIP_REASONS } from './exchange.js';
import { asBuffer } from './transfer-list.js';
import { JOB_CONTRACT_VERSION, type CompareExchangePayload, type RecordDropsPayload } from './contracts.js';

const headerMap = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
/** Bytes as Buffers: a body that crossed a thread arrives as a plain Uint8Array and is viewed again, not copied. */
const bytes = z.instanceof(Uint8Array).transform(asBuffer);
const body = z.object({ bytes, size: z.number().int().nonnegative(), truncated: z.boolean() });
const upstreamError = z.object({ code: z.enum(SHADOW_ERROR_CODES), message: z.string(), latencyMs: z.number().nonnegative() });
const response = z.object({ status: z.number().int().min(0).max(999), headers: headerMap, body, latencyMs: z.number().nonnegative() });

export const compareExchangePayloadSchema = z.object({
  v: z.literal(JOB_CONTRACT_VERSION),
  exchange: z.object({
    id: z.string().min(1).max(200),
    run: z.string().min(1).max(100),
    runKind: z.enum(RUN_KINDS).optional(),
    receivedAt: z.number().int().nonnegative(),
    request: z.object({ method: z.string().min(1).max(32), url: z.string().min(1), headers: headerMap, body }),
    primary: response,
    shadow: response.nullable(),
    shadowError: upstreamError.nullable(),
    secondary: response.nullable().optional(),
    secondaryError: upstreamError.nullable().optional(),
    hosts: z.object({ primary: z.string().max(1000).optional(), shadow: z.string().max(1000).optional() }).optional(),
    primaryContent: z.object({ contentEncoding: z.string().max(200).nullable(), bodyRecorded: z.boolean() }).optional(),
    skipReason: z.enum(SKIP_REASONS).nullable(),
  }),
}) satisfies z.ZodType<CompareExchangePayload>;

export const recordDropsPayloadSchema = z.object({
  v: z.literal(JOB_CONTRACT_VERSION),
  reportId: z.string().min(1).max(200),
  run: z.string().min(1).max(100),
  counts: z.partialRecord(z.enum(DROP_REASONS), z.number().int().nonnegative()),
}) satisfies z.ZodType<RecordDropsPayload>;
