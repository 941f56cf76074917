/** A HAR baseline is decoded content, sometimes without a body: compareExchange takes it as such. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import type { CapturedResponse, Exchange, RecordedContent } from '../../../libs/exchange/exchange.js';

const text = '{"id":1,"name":"a"}';

function response(headers: Record<string, string>, bytes: Buffer, status = 200): CapturedResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: { bytes, size: bytes.length, truncated: false }, latencyMs: 1 };
}

function pair(baseline: CapturedResponse, candidate: CapturedResponse, primaryContent?: RecordedContent): Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError' | 'primaryContent'> {
  return {
    request: { method: 'GET', url: '/x', headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
    primary: baseline,
    shadow: candidate,
    shadowError: null,
    ...(primaryContent ? { primaryContent } : {}),
  };
}

const decodedBaseline = response({}, Buffer.from(text));
const gzipCandidate = response({ 'content-encoding': 'gzip' }, gzipSync(text));

describe('a recorded, decoded baseline', () => {
  it('matches a candidate that compresses as the recording saw', () => {
    expect(compareExchange(pair(decodedBaseline, gzipCandidate, { contentEncoding: 'gzip', bodyRecorded: true })).differences).toEqual([]);
  });

  it('still shows a candidate that stopped compressing, or changed its body', () => {
    const plain = response({}, Buffer.from(text));
    const stopped = compareExchange(pair(decodedBaseline, plain, { contentEncoding: 'gzip', bodyRecorded: true }));
    expect(stopped.differences.map((d) => [d.path, d.kind])).toEqual([['header.content-encoding', 'header_removed']]);
    const changed = compareExchange(pair(decodedBaseline, response({ 'content-encoding': 'gzip' }, gzipSync('{"id":1,"name":"b"}')), { contentEncoding: 'gzip', bodyRecorded: true }));
    expect(changed.differences.map((d) => d.path)).toEqual(['$.name']);
  });

  it('without recorded content compares status and headers, never an empty body', () => {
    const empty = response({}, Buffer.alloc(0));
    expect(compareExchange(pair(empty, gzipCandidate, { contentEncoding: 'gzip', bodyRecorded: false })).differences).toEqual([]);
    const failed = compareExchange(pair(empty, response({ 'content-encoding': 'gzip' }, gzipSync(text), 404), { contentEncoding: 'gzip', bodyRecorded: false }));
    expect(failed.differences.map((d) => d.path)).toEqual(['status']);
    // Without the recorded-content marker the same pair is a body difference.
    expect(compareExchange(pair(decodedBaseline, gzipCandidate)).differences.map((d) => d.path)).toEqual(['header.content-encoding']);
  });
});
