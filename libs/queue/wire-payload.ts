/**
 * The BullMQ boundary: Redis holds JSON, so a body crosses it as base64 and is bytes again on the
 * consumer's side, before the handler (and its payload validation) sees it. Nothing else in the
 * process handles base64 bodies; the embedded queue never comes here.
 */
import type { CapturedBody } from '../http/body.js';
import { JOB_NAMES, type JobName } from '../exchange/contracts.js';

/** A body as Redis holds it (retained-job.ts empties `base64` in the jobs kept after failing). */
export interface WireBody {
  base64: string;
  size: number;
  truncated: boolean;
}

type BodyMap = (body: unknown) => unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The exchange with each body it carries (request, primary, shadow, secondary) mapped; anything else as it is. */
function mapBodies(payload: unknown, map: BodyMap): unknown {
  if (!isObject(payload) || !isObject(payload.exchange)) return payload;
  const ex = payload.exchange;
  const withBody = (part: unknown) => (isObject(part) && 'body' in part ? { ...part, body: map(part.body) } : part);
  const exchange: Record<string, unknown> = { ...ex, request: withBody(ex.request), primary: withBody(ex.primary), shadow: withBody(ex.shadow) };
  if ('secondary' in ex) exchange.secondary = withBody(ex.secondary);
  return { ...payload, exchange };
}

const toWireBody: BodyMap = (body) => {
  const b = body as Partial<CapturedBody>;
  if (!isObject(body) || !(b.bytes instanceof Uint8Array)) return body;
  const wire: WireBody = { base64: Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength).toString('base64'), size: b.size ?? 0, truncated: b.truncated ?? false };
  return wire;
};

/** A body that is not base64 text stays as it came: the payload check rejects it, visibly. */
const fromWireBody: BodyMap = (body) => {
  if (!isObject(body) || typeof body.base64 !== 'string') return body;
  const { base64, ...rest } = body;
  return { ...rest, bytes: Buffer.from(base64, 'base64') };
};

/** What `queue.add` is given for a job. */
export function toWire(name: JobName, payload: unknown): unknown {
  return name === JOB_NAMES.compareExchange ? mapBodies(payload, toWireBody) : payload;
}

/** What the handler is given for a job read from Redis. */
export function fromWire(name: string, data: unknown): unknown {
  return name === JOB_NAMES.compareExchange ? mapBodies(data, fromWireBody) : data;
}
