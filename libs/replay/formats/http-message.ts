/**
 * A small, binary-safe HTTP/1.x message parser for recorded traffic (GoReplay payloads).
 * It works on one complete recorded message in a Buffer, not on a live socket: the body is
 * framed by Content-Length or chunked coding, else it is the rest of the message. A message cut
 * short by the recorder gives a truncated body, not an error; a message that is not HTTP gives a
 * MessageError with the byte offset of the fault.
 */
import { capturedBody, EMPTY_BODY, ownBytes, ownedBody, type CapturedBody } from '../../http/body.js';
import { headerList, headerMapOf, type HeaderMap } from '../../http/headers.js';
import { TOKEN, hasNoBody, preview, recordedHeaders, splitAbsoluteUrl } from './common.js';

/** Local to the parsers: gor.ts turns it into a FormatProblem (with the offset), never a user-facing error. */
export class MessageError extends Error {
  constructor(
    message: string,
    /** Byte offset in the message where the fault is. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'MessageError';
  }
}

export interface ParsedRequest {
  method: string;
  /** Path and query (origin-form); `*` for `OPTIONS *`. */
  url: string;
  /** scheme://host[:port] when the request line used the absolute form (requests to a proxy). */
  origin: string | null;
  headers: HeaderMap;
  body: CapturedBody;
}

export interface ParsedResponse {
  status: number;
  headers: HeaderMap;
  body: CapturedBody;
}

const REQUEST_LINE = /^([^ ]+) ([^ ]+) HTTP\/1\.[01]$/;
const STATUS_LINE = /^HTTP\/1\.[01] ([^ ]*)(?: .*)?$/;
const HEADER_LINE = /^([^:]*):[ \t]*(.*?)[ \t]*$/;

interface Line {
  text: string;
  /** Offset of the first byte of the line. */
  start: number;
  /** Offset just after the line's LF (or the end of the message). */
  next: number;
}

/** The line starting at `from`, LF or CRLF ended; undefined at the end of the message. */
function lineAt(message: Buffer, from: number): Line | undefined {
  if (from >= message.length) return undefined;
  const lf = message.indexOf(0x0a, from);
  const end = lf === -1 ? message.length : lf;
  const textEnd = end > from && message[end - 1] === 0x0d ? end - 1 : end;
  return { text: message.toString('latin1', from, textEnd), start: from, next: lf === -1 ? message.length : lf + 1 };
}

interface Head {
  startLine: Line;
  fields: Array<[string, string]>;
  /** Offset of the first body byte. */
  bodyStart: number;
}

/**
 * Start line and header fields, up to the empty line (CRLF or LF-only line ends). Empty lines
 * before the start line are skipped (RFC 9112 §2.2); obsolete line folding is unfolded.
 * A message that ends without the empty line is taken as headers only.
 */
function parseHead(message: Buffer, from: number): Head {
  let line = lineAt(message, from);
  while (line !== undefined && line.text === '') line = lineAt(message, line.next);
  if (line === undefined) throw new MessageError('the message is empty', from);
  const startLine = line;
  const fields: Array<[string, string]> = [];
  let position = startLine.next;
  for (;;) {
    const field = lineAt(message, position);
    if (field === undefined) return { startLine, fields, bodyStart: message.length };
    position = field.next;
    if (field.text === '') return { startLine, fields, bodyStart: position };
    const last = fields[fields.length - 1];
    if ((field.text.startsWith(' ') || field.text.startsWith('\t')) && last !== undefined) {
      last[1] = `${last[1]} ${field.text.trim()}`.trim();
      continue;
    }
    const match = HEADER_LINE.exec(field.text);
    const name = match?.[1];
    if (match === null || name === undefined || !TOKEN.test(name)) {
      throw new MessageError(`bad header line "${preview(field.text)}"`, field.start);
    }
    fields.push([name, match[2] ?? '']);
  }
}

/**
 * The body, framed by the raw headers (hop-by-hop ones included): chunked when it is the last
 * transfer coding, else Content-Length, else the rest of the message.
 */
function frameBody(message: Buffer, head: Head, headers: HeaderMap): CapturedBody {
  const codings = headerList(headers['transfer-encoding']).map((c) => c.toLowerCase());
  if (codings.length > 0 && codings[codings.length - 1] === 'chunked') return dechunk(message, head.bodyStart);
  const rest = message.subarray(head.bodyStart);
  const lengths = [...new Set(headerList(headers['content-length']))];
  if (codings.length > 0 || lengths.length === 0) return ownedBody(rest);
  const declared = lengths.length === 1 && /^\d{1,15}$/.test(lengths[0] ?? '') ? Number(lengths[0]) : Number.NaN;
  if (!Number.isSafeInteger(declared)) {
    throw new MessageError(`invalid Content-Length "${preview(lengths.join(', '))}"`, head.bodyStart);
  }
  if (rest.length < declared) {
    // The recorder cut the payload (GoReplay keeps a bounded prefix): a prefix of the body.
    return capturedBody(ownBytes(rest), declared, true);
  }
  return ownedBody(rest.subarray(0, declared));
}

const CHUNK_SIZE = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/;

/** Undoes chunked coding (RFC 9112 §7.1); trailer fields are dropped. Cut short -> truncated. */
function dechunk(message: Buffer, from: number): CapturedBody {
  const chunks: Buffer[] = [];
  let decoded = 0;
  let position = from;
  const cutShort = (missing: number): CapturedBody => {
    return capturedBody(Buffer.concat(chunks, decoded), decoded + missing, true);
  };
  for (;;) {
    const line = lineAt(message, position);
    if (line === undefined || (line.next === message.length && message[message.length - 1] !== 0x0a)) {
      return cutShort(0);
    }
    const size = CHUNK_SIZE.exec(line.text)?.[1];
    if (size === undefined) throw new MessageError(`bad chunk size line "${preview(line.text)}"`, line.start);
    const length = Number.parseInt(size, 16);
    if (length === 0) break;
    const dataEnd = line.next + length;
    if (dataEnd > message.length) {
      chunks.push(message.subarray(line.next));
      decoded += message.length - line.next;
      return cutShort(dataEnd - message.length);
    }
    chunks.push(message.subarray(line.next, dataEnd));
    decoded += length;
    position = dataEnd;
    if (message[position] === 0x0d) position += 1;
    if (position >= message.length) return cutShort(0);
    if (message[position] !== 0x0a) throw new MessageError('chunk data is not followed by a line end', position);
    position += 1;
  }
  return ownedBody(Buffer.concat(chunks, decoded));
}

export function parseRequestMessage(message: Buffer): ParsedRequest {
  const head = parseHead(message, 0);
  const match = REQUEST_LINE.exec(head.startLine.text);
  const method = match?.[1];
  const target = match?.[2];
  if (method === undefined || target === undefined || !TOKEN.test(method)) {
    throw new MessageError(`bad request line "${preview(head.startLine.text)}"`, head.startLine.start);
  }
  let url: string;
  let origin: string | null = null;
  if (target.startsWith('/') || (target === '*' && method.toUpperCase() === 'OPTIONS')) {
    url = target;
  } else if (/^https?:\/\//i.test(target)) {
    const split = splitAbsoluteUrl(target);
    if ('error' in split) throw new MessageError(`bad request target: ${split.error}`, head.startLine.start);
    ({ origin, pathAndQuery: url } = split);
  } else {
    throw new MessageError(`unsupported request target "${preview(target)}"`, head.startLine.start);
  }
  // Framed by all headers as the message has them (Transfer-Encoding included); recordedHeaders then
  // drops the hop-by-hop ones, Transfer-Encoding with them: the body is de-chunked.
  const body = frameBody(message, head, headerMapOf(head.fields));
  return { method: method.toUpperCase(), url, origin, headers: recordedHeaders(head.fields), body };
}

/**
 * Parses a recorded response. Interim 1xx responses (100 Continue, 103 Early Hints) recorded
 * ahead of the final one are skipped. `requestMethod` (when known) says whether a body can follow.
 */
export function parseResponseMessage(message: Buffer, requestMethod?: string): ParsedResponse {
  let from = 0;
  for (;;) {
    const head = parseHead(message, from);
    const code = STATUS_LINE.exec(head.startLine.text)?.[1];
    if (code === undefined || !/^\d{3}$/.test(code)) {
      throw new MessageError(`bad status line "${preview(head.startLine.text)}"`, head.startLine.start);
    }
    const status = Number(code);
    if (status >= 100 && status < 200 && status !== 101 && head.bodyStart < message.length) {
      from = head.bodyStart;
      continue;
    }
    const headers = recordedHeaders(head.fields);
    if (hasNoBody(status, requestMethod ?? '')) return { status, headers, body: EMPTY_BODY };
    return { status, headers, body: frameBody(message, head, headerMapOf(head.fields)) };
  }
}
