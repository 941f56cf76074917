import { constants as bufferConstants } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { headerList, headerValue, type HeaderMap } from '../http/headers.js';

export type DecodeResult = { bytes: Buffer } | { error: string };

type Decoder = (input: Buffer, limit: number) => Buffer;

const inflateZlibOrRaw: Decoder = (input, limit) => {
  try {
    return inflateSync(input, { maxOutputLength: limit });
  } catch (zlibError) {
    // Some servers send raw deflate (no zlib header) as `deflate`; try that before giving up,
    // unless the first attempt failed on the size limit.
    if (isTooLarge(zlibError)) throw zlibError;
    try {
      return inflateRawSync(input, { maxOutputLength: limit });
    } catch (rawError) {
      throw isTooLarge(rawError) ? rawError : zlibError;
    }
  }
};

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: (input, limit) => gunzipSync(input, { maxOutputLength: limit }),
  'x-gzip': (input, limit) => gunzipSync(input, { maxOutputLength: limit }),
  deflate: inflateZlibOrRaw,
  br: (input, limit) => brotliDecompressSync(input, { maxOutputLength: limit }),
};

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/** The codings of a Content-Encoding value, in the order they were applied, without `identity`. */
export function contentCodings(headers: HeaderMap): string[] {
  return headerList(headerValue(headers, 'content-encoding'))
    .map((coding) => coding.toLowerCase())
    .filter((coding) => coding !== 'identity');
}

/**
 * Undo the body's Content-Encoding (codings applied in order, so undone in reverse). Each step's
 * output is capped at maxBytes, so a compression bomb fails with an error instead of exhausting
 * memory. An empty body decodes to an empty body whatever the header says (HEAD, 204, …).
 */
export function decodeBody(raw: Buffer, headers: HeaderMap, maxBytes: number): DecodeResult {
  const codings = contentCodings(headers);
  if (codings.length === 0 || raw.length === 0) return { bytes: raw };
  const limit = Math.max(1, Math.min(Math.floor(maxBytes), bufferConstants.MAX_LENGTH));

  let bytes = raw;
  for (const coding of [...codings].reverse()) {
    const decoder = DECODERS[coding];
    if (decoder === undefined) return { error: `unsupported content-encoding "${coding}"` };
    try {
      bytes = decoder(bytes, limit);
    } catch (error) {
      if (isTooLarge(error)) return { error: `${coding}: decoded body exceeds the limit of ${limit} bytes` };
      const message = error instanceof Error ? error.message : String(error);
      return { error: `${coding}: corrupt data (${message})` };
    }
  }
  return { bytes };
}

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/** The charset parameter of a Content-Type value, lower-cased; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = CHARSET.exec(contentType);
  const charset = (match?.[1] ?? match?.[2])?.trim().toLowerCase();
  return charset === '' ? undefined : charset;
}

/**
 * The body as text in its declared charset: UTF-8 by default and for unknown charsets, otherwise
 * any label TextDecoder knows (WHATWG labels: `latin1` and `iso-8859-1` decode as windows-1252,
 * as browsers do). A byte-order mark is dropped; invalid sequences become U+FFFD.
 */
export function bodyText(bytes: Buffer, contentType: string | undefined): string {
  return decoderFor(charsetOf(contentType)).decode(bytes);
}

function decoderFor(charset: string | undefined): TextDecoder {
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset);
    } catch {
      // Unknown label: fall back to UTF-8.
    }
  }
  return new TextDecoder('utf-8');
}
