/**
 * HAR 1.2 input for `shadow-diff replay`: browsers' and proxies' recordings of traffic.
 * Pure: text in, exchanges and problems out. Only an unusable file throws (ReplayInputError);
 * a malformed entry is reported with its 1-based position and skipped.
 */
import { capturedBody, EMPTY_BODY, ownedBody, type CapturedBody } from '../../http/body.js';
import { firstHeader, joinedValue, withoutHeaders, type HeaderMap } from '../../http/headers.js';
import type { CapturedRequest, CapturedResponse, RecordedContent } from '../../exchange/exchange.js';
import { TOKEN, decodeBase64Strict, hasNoBody, preview, recordedHeaders, splitAbsoluteUrl } from './common.js';
import { ReplayInputError } from '../../errors.js';
import type { FormatProblem, LeftOut, ParseResult, RecordedExchange } from './recorded-exchange.js';

/**
 * HAR content is stored decoded (decompressed, de-chunked): the recorded Content-Encoding and
 * Content-Length no longer describe the body, so they are dropped from the baseline response; the
 * Content-Encoding seen is kept beside it (RecordedExchange.content) for the comparison.
 */
const RESPONSE_HEADERS_NOT_MATCHING_CONTENT = ['content-encoding', 'content-length'];

/**
 * A problem with one entry; caught per entry, never escapes parseHar: it becomes a FormatProblem (the
 * record is reported and skipped), so it is control flow, not a coded ShadowDiffError.
 */
class EntryProblem extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseHar(text: string): ParseResult {
  let root: unknown;
  try {
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReplayInputError(`not a HAR file: the content is not valid JSON (${reason})`, { cause: error });
  }
  const log = isObject(root) ? root.log : undefined;
  if (!isObject(log)) throw new ReplayInputError('not a HAR file: there is no "log" object at the top level');
  const entries = log.entries;
  if (!Array.isArray(entries)) throw new ReplayInputError('not a HAR file: "log.entries" is missing or not an array');

  const exchanges: RecordedExchange[] = [];
  const problems: FormatProblem[] = [];
  const leftOut: LeftOut[] = [];
  entries.forEach((entry: unknown, index) => {
    const position = index + 1;
    try {
      // A websocket is no request-response exchange: replayed as a GET it would only fail.
      if (isWebsocket(entry)) leftOut.push({ position, reason: 'websocket', ...originOf(entry) });
      else exchanges.push(parseEntry(entry, position));
    } catch (error) {
      const reason = error instanceof EntryProblem ? error.message : `unexpected error: ${String(error)}`;
      problems.push({ position, message: `entry ${position}: ${reason}; skipped` });
    }
  });
  return { exchanges, problems, leftOut };
}

function isWebsocket(entry: unknown): boolean {
  if (!isObject(entry)) return false;
  if (typeof entry._resourceType === 'string' && entry._resourceType.toLowerCase() === 'websocket') return true;
  if (isObject(entry.response) && entry.response.status === 101) return true;
  const headers = isObject(entry.request) && Array.isArray(entry.request.headers) ? (entry.request.headers as unknown[]) : [];
  const upgrade = (h: unknown) => isObject(h) && typeof h.name === 'string' && h.name.toLowerCase() === 'upgrade';
  return headers.some((h) => upgrade(h) && /websocket/i.test(String((h as Json).value)));
}

/** The entry's origin when its url has one (ws: and wss: included), for the report of what was left out. */
function originOf(entry: unknown): { origin?: string } {
  const url = isObject(entry) && isObject(entry.request) ? entry.request.url : undefined;
  try {
    const origin = typeof url === 'string' ? new URL(url).origin : 'null';
    return origin === 'null' ? {} : { origin };
  } catch {
    return {};
  }
}

function parseEntry(entry: unknown, position: number): RecordedExchange {
  if (!isObject(entry)) throw new EntryProblem('the entry is not an object');
  const { request, origin } = parseRequest(entry.request);
  const recorded = parseResponse(entry.response, entry.time, request.method);
  const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : Number.NaN;
  const exchange: RecordedExchange = { position, startedAt: Number.isFinite(started) ? started : null, request, response: recorded?.response ?? null, origin };
  if (recorded) exchange.content = recorded.content;
  return exchange;
}

function parseRequest(value: unknown): { request: CapturedRequest; origin: string | null } {
  if (!isObject(value)) throw new EntryProblem('"request" is missing');
  const { method: rawMethod, url: rawUrl } = value;
  if (typeof rawMethod !== 'string' || rawMethod === '') throw new EntryProblem('"request.method" is missing');
  if (!TOKEN.test(rawMethod)) throw new EntryProblem(`"request.method" "${preview(rawMethod)}" is not an HTTP method`);
  if (typeof rawUrl !== 'string' || rawUrl === '') throw new EntryProblem('"request.url" is missing');

  let url: string;
  let origin: string | null = null;
  let host: string | undefined;
  if (rawUrl.startsWith('/')) {
    // Not HAR 1.2 (the url is absolute there), but some tools write the path alone.
    url = rawUrl.replace(/#.*$/s, '');
  } else {
    const split = splitAbsoluteUrl(rawUrl);
    if ('error' in split) throw new EntryProblem(`"request.url" ${split.error}`);
    ({ pathAndQuery: url, origin, host } = split);
  }

  const headers = recordedHeaders(nameValues(value.headers, 'request.headers', 'headers'));
  if (headers.host === undefined && host !== undefined) headers.host = host;
  const body = postDataBody(value.postData);
  // A Content-Length that does not match the recorded body (text stored decoded, edited files)
  // would make the replay fail before it is sent: keep the header, with the size of the body.
  if (headers['content-length'] !== undefined && firstHeader(headers, 'content-length') !== String(body.size)) {
    headers['content-length'] = String(body.size);
  }
  return { request: { method: rawMethod.toUpperCase(), url, headers, body }, origin };
}

/** A HAR list of {name, value}: headers (names must be tokens, or HTTP/2 pseudo-headers) or form params. */
function nameValues(value: unknown, where: string, kind: 'headers' | 'params'): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new EntryProblem(`"${where}" is not an array`);
  return value.map((item: unknown, i): [string, string] => {
    const name = isObject(item) ? item.name : undefined;
    const validName = typeof name === 'string' && (kind === 'params' || name.startsWith(':') || TOKEN.test(name));
    if (!isObject(item) || !validName) throw new EntryProblem(`"${where}[${i}]" has no valid name`);
    const v = item.value;
    if (typeof v === 'string') return [name, v];
    if (typeof v === 'number' || typeof v === 'boolean') return [name, String(v)];
    if (kind === 'params' && (v === undefined || v === null)) return [name, ''];
    throw new EntryProblem(`"${where}[${i}]" (${preview(name)}) has no string value`);
  });
}

function postDataBody(postData: unknown): CapturedBody {
  if (postData === undefined || postData === null) return EMPTY_BODY;
  if (!isObject(postData)) throw new EntryProblem('"request.postData" is not an object');
  const { text, encoding, params, mimeType } = postData;
  if (text !== undefined && typeof text !== 'string') throw new EntryProblem('"request.postData.text" is not a string');
  const paramList = nameValues(params, 'request.postData.params', 'params');
  if ((text === undefined || text === '') && paramList.length > 0) {
    // Only the parsed form survived: rebuild it. A multipart body cannot be rebuilt from its
    // params (the boundary and the files are gone), so that entry cannot be replayed faithfully.
    if (typeof mimeType === 'string' && mimeType !== '' && !/^application\/x-www-form-urlencoded\b/i.test(mimeType)) {
      throw new EntryProblem(`"request.postData" has params but no text, and a ${preview(mimeType)} body cannot be rebuilt from params`);
    }
    return ownedBody(Buffer.from(new URLSearchParams(paramList).toString(), 'utf8'));
  }
  return decodeText(text ?? '', encoding, 'request.postData');
}

function decodeText(text: string, encoding: unknown, where: string): CapturedBody {
  if (encoding === undefined || encoding === null || encoding === '') return ownedBody(Buffer.from(text, 'utf8'));
  if (encoding !== 'base64') throw new EntryProblem(`"${where}.encoding" ${JSON.stringify(encoding)} is not supported (only "base64")`);
  const bytes = decodeBase64Strict(text);
  if (bytes === undefined) throw new EntryProblem(`"${where}.text" is not valid base64`);
  return ownedBody(bytes);
}

function parseResponse(value: unknown, time: unknown, method: string): { response: CapturedResponse; content: RecordedContent } | null {
  // Browsers record failed and blocked requests with status 0: nothing to compare against.
  if (!isObject(value) || value.status === undefined || value.status === null || value.status === 0) return null;
  const status = value.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new EntryProblem(`"response.status" ${preview(JSON.stringify(status) ?? String(status))} is not an HTTP status`);
  }
  const recorded = recordedHeaders(nameValues(value.headers, 'response.headers', 'headers'));
  const headers: HeaderMap = withoutHeaders(recorded, RESPONSE_HEADERS_NOT_MATCHING_CONTENT);
  const encoding = recorded['content-encoding'];
  const latencyMs = typeof time === 'number' && Number.isFinite(time) && time > 0 ? time : 0;
  // Browsers store the cached body with a 304 (and some tools with a HEAD); none went on the wire.
  const noBody = hasNoBody(status, method);
  const body = noBody ? EMPTY_BODY : responseBody(value.content);
  return {
    response: { status, headers, body: body ?? EMPTY_BODY, latencyMs },
    content: { contentEncoding: encoding === undefined ? null : joinedValue(encoding), bodyRecorded: body !== null },
  };
}

/** The recorded body; null when the recorder kept no content (`text` absent, size not 0). */
function responseBody(content: unknown): CapturedBody | null {
  if (content === undefined || content === null) return null;
  if (!isObject(content)) throw new EntryProblem('"response.content" is not an object');
  const { text, encoding, size, _truncated: truncated } = content;
  if (text !== undefined && typeof text !== 'string') throw new EntryProblem('"response.content.text" is not a string');
  const recordedSize = typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : 0;
  // Without text the recorder did not keep the body (too large, binary, not saved, `size: -1`):
  // there is no baseline body, which is not an empty one. Only `size: 0` says the body was empty.
  if (text === undefined) return size === 0 ? EMPTY_BODY : null;
  if (text === '') return EMPTY_BODY;
  const body = decodeText(text, encoding, 'response.content');
  if (truncated === true && recordedSize > body.size) return capturedBody(body.bytes, recordedSize, true);
  return body;
}
