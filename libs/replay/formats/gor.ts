/**
 * GoReplay (gor) file input for `shadow-diff replay`.
 *
 * A file is a sequence of records, each `TYPE ID TIMESTAMP LATENCY\n` + a raw HTTP/1.x message,
 * followed by the payload separator `\n🐵🙈🙉\n`. TYPE 1 is a request, 2 the response the original
 * server gave, 3 a response gor got when replaying (ignored: not a baseline). TIMESTAMP and
 * LATENCY are nanoseconds. Requests and original responses are paired by ID; the output follows
 * the requests. A malformed record is reported with its 1-based position and skipped.
 *
 * GorParser takes the input in chunks of any size (a file stream, a gunzip stream); parseGor and
 * readGorFile are the one-shot forms.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { CapturedRequest, CapturedResponse } from '../../exchange/exchange.js';
import { EMPTY_BODY } from '../../http/body.js';
import { hasNoBody, preview } from './common.js';
import { ReplayInputError } from '../../errors.js';
import { MessageError, parseRequestMessage, parseResponseMessage } from './http-message.js';
import type { FormatProblem, ParseResult, RecordedExchange } from './recorded-exchange.js';

/** What gor writes after every payload. */
export const GOR_PAYLOAD_SEPARATOR = Buffer.from('\n🐵🙈🙉\n', 'utf8');

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1];
}

interface PendingRequest {
  position: number;
  timestampNs: bigint;
  request: CapturedRequest;
  origin: string | null;
}

interface PendingResponse {
  position: number;
  timestampNs: bigint;
  latencyNs: bigint | null;
  response: Omit<CapturedResponse, 'latencyMs'>;
}

/** A record that cannot be used; caught per record and reported as a FormatProblem, so not a coded ShadowDiffError. */
class RecordProblem extends Error {}

const PAYLOAD_HEADER = /^([^ ]+) ([^ ]+)(?: ([^ ]*))?(?: ([^ ]*))?/;

/** Incremental GoReplay parser: push() chunks as they come, end() once for the result. */
export class GorParser {
  private buffer = Buffer.alloc(0);
  /** Bytes of `buffer` in use. */
  private length = 0;
  /** Where the next separator search starts in `buffer`. */
  private searchFrom = 0;
  /** Input offset of buffer[0]. */
  private consumed = 0;
  private records = 0;
  private ended = false;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly responses = new Map<string, PendingResponse>();
  private readonly problems: FormatProblem[] = [];

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('GorParser: push() after end()');
    if (chunk.length === 0) return;
    this.append(chunk);
    let start = 0;
    for (;;) {
      const at = this.buffer.subarray(0, this.length).indexOf(GOR_PAYLOAD_SEPARATOR, this.searchFrom);
      if (at === -1) break;
      this.record(this.buffer.subarray(start, at), this.consumed + start);
      start = at + GOR_PAYLOAD_SEPARATOR.length;
      this.searchFrom = start;
    }
    if (start > 0) {
      this.buffer.copyWithin(0, start, this.length);
      this.length -= start;
      this.consumed += start;
    }
    this.searchFrom = Math.max(0, this.length - GOR_PAYLOAD_SEPARATOR.length + 1);
  }

  /** Reports a problem of the input itself (a corrupt gzip stream, …) at the next record position. */
  reportInputProblem(message: string): void {
    this.problems.push({ position: this.records + 1, message });
  }

  end(): ParseResult {
    if (!this.ended) {
      this.ended = true;
      // gor ends every payload with the separator; bytes after the last one are a cut-off record.
      if (this.length > 0) this.record(this.buffer.subarray(0, this.length), this.consumed);
      this.buffer = Buffer.alloc(0);
      this.length = 0;
    }
    return this.pair();
  }

  private append(chunk: Buffer): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2, 64 * 1024));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length);
    this.length = needed;
  }

  private record(bytes: Buffer, inputOffset: number): void {
    // Blank space between records (a file edited by hand, a trailing newline) is not a record.
    let start = 0;
    while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x20)) start += 1;
    if (start === bytes.length) return;
    this.records += 1;
    const position = this.records;
    const recordOffset = inputOffset + start;
    const lf = bytes.indexOf(0x0a, start);
    const headerEnd = lf === -1 ? bytes.length : lf;
    const payloadHeader = bytes.toString('latin1', start, headerEnd).replace(/\r$/, '');
    try {
      this.parseRecord(position, payloadHeader, bytes.subarray(Math.min(headerEnd + 1, bytes.length)));
    } catch (error) {
      let reason: string;
      if (error instanceof MessageError) reason = `${error.message} at byte ${error.offset} of the HTTP message`;
      else if (error instanceof RecordProblem) reason = error.message;
      else reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      this.problems.push({ position, message: `record ${position} (input byte ${recordOffset}): ${reason}; skipped` });
    }
  }

  private parseRecord(position: number, payloadHeader: string, message: Buffer): void {
    const match = PAYLOAD_HEADER.exec(payloadHeader);
    const [type, id, timestamp, latency] = [match?.[1], match?.[2], match?.[3], match?.[4]];
    if (type === undefined || id === undefined) throw new RecordProblem(`bad payload header "${preview(payloadHeader)}"`);
    if (type !== '1' && type !== '2' && type !== '3') throw new RecordProblem(`unknown payload type "${preview(type)}"`);
    if (timestamp === undefined || !/^\d{1,20}$/.test(timestamp)) {
      throw new RecordProblem(`bad timestamp "${preview(timestamp ?? '')}" in payload header "${preview(payloadHeader)}"`);
    }
    if (latency !== undefined && latency !== '' && !/^-?\d{1,20}$/.test(latency)) {
      throw new RecordProblem(`bad latency "${preview(latency)}" in payload header "${preview(payloadHeader)}"`);
    }
    if (type === '3') return; // a response from an earlier replay: not the baseline
    const timestampNs = BigInt(timestamp);
    if (type === '1') {
      const first = this.requests.get(id);
      if (first !== undefined) throw new RecordProblem(`duplicate request id ${preview(id)} (first at record ${first.position})`);
      const { origin, ...request } = parseRequestMessage(message);
      this.requests.set(id, { position, timestampNs, request, origin });
      return;
    }
    const first = this.responses.get(id);
    if (first !== undefined) throw new RecordProblem(`duplicate response id ${preview(id)} (first at record ${first.position})`);
    const latencyNs = latency === undefined || latency === '' ? null : BigInt(latency);
    this.responses.set(id, { position, timestampNs, latencyNs, response: parseResponseMessage(message) });
  }

  private pair(): ParseResult {
    const problems = [...this.problems];
    const exchanges: RecordedExchange[] = [];
    for (const [id, pending] of this.requests) {
      const recorded = this.responses.get(id);
      let response: CapturedResponse | null = null;
      if (recorded !== undefined) {
        const { status, headers, body } = recorded.response;
        response = {
          status,
          headers,
          // Parsed before its request was known: a HEAD response's declared length is not a body.
          body: hasNoBody(status, pending.request.method) ? EMPTY_BODY : body,
          latencyMs: latencyMs(pending, recorded),
        };
      }
      exchanges.push({
        position: pending.position,
        startedAt: pending.timestampNs > 0n ? Number(pending.timestampNs / 1_000_000n) : null,
        request: pending.request,
        response,
        origin: pending.origin,
      });
    }
    for (const [id, recorded] of this.responses) {
      if (!this.requests.has(id)) {
        problems.push({
          position: recorded.position,
          message: `record ${recorded.position}: response id ${preview(id)} has no request in the input; skipped`,
        });
      }
    }
    // `requests` iterates in insertion order, which is the order of the request records.
    problems.sort((a, b) => a.position - b.position);
    return { exchanges, problems };
  }
}

/** The recorded latency: gor's own when it wrote one, else the time between the two records, else 0. */
function latencyMs(request: PendingRequest, response: PendingResponse): number {
  let ns = response.latencyNs !== null && response.latencyNs > 0n ? response.latencyNs : null;
  if (ns === null && request.timestampNs > 0n && response.timestampNs >= request.timestampNs) {
    ns = response.timestampNs - request.timestampNs;
  }
  // Microsecond precision is plenty, and keeps the value readable.
  return ns === null ? 0 : Number(ns / 1000n) / 1000;
}

/** Parses a whole GoReplay file's content (already gunzipped). */
export function parseGor(data: Buffer): ParseResult {
  const parser = new GorParser();
  parser.push(data);
  return parser.end();
}

/**
 * Reads a GoReplay file (`.gor`, or gzip-compressed `.gor.gz`: recognised by its magic bytes,
 * whatever the name) as a stream. A gzip stream that is cut short or corrupt keeps the records
 * read so far and reports the fault; a file that cannot be read throws a ReplayInputError.
 */
export async function readGorFile(path: string): Promise<ParseResult> {
  let gzip: boolean;
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
      gzip = isGzip(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ReplayInputError(`cannot read GoReplay file ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }

  const parser = new GorParser();
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) parser.push(chunk);
  };
  try {
    if (gzip) await pipeline(createReadStream(path), createGunzip(), sink);
    else await pipeline(createReadStream(path), sink);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof code === 'string' && code.startsWith('Z_')) {
      parser.reportInputProblem(`the gzip data is cut short or corrupt (${message}); the records before it were kept`);
    } else {
      throw new ReplayInputError(`cannot read GoReplay file ${path}: ${message}`, { cause: error });
    }
  }
  return parser.end();
}
