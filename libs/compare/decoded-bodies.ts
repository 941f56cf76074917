/**
 * A captured body read once per job: its bytes, its content-encoding undone, its text and its parsed
 * JSON are kept for whoever needs them next (the comparison against the shadow and the secondary, the
 * evidence, redaction), so no step decodes what an earlier one already did.
 */
import type { CapturedBody } from '../http/body.js';
import { headerValue, type HeaderMap } from '../http/headers.js';
import { bodyText, charsetOf, contentCodings, decodeBody, type DecodeResult } from './decode-body.js';
import { parseJson, type ParsedJson } from './parse-json.js';

/** The captured bytes of a body: the one place its in-process representation is read. */
export function capturedBytes(body: CapturedBody): Buffer {
  return body.bytes;
}

/** The captured bytes as base64 (what a capture record stores). */
export function capturedBase64(body: CapturedBody): string {
  return body.bytes.length === 0 ? '' : body.bytes.toString('base64');
}

interface Decoded {
  /** The limit it was decoded under, and the Content-Encoding it undid. */
  limit: number;
  codings: string;
  result: DecodeResult;
}

interface Text {
  text: string;
  /** Parsed lazily; null when the text is not JSON. */
  json?: ParsedJson | null;
}

/** One job's decoded bodies (drop it with the job: it holds every body's bytes). */
export class DecodedBodies {
  private readonly bytes = new Map<CapturedBody, Buffer>();
  private readonly decodings = new Map<CapturedBody, Decoded>();
  private readonly texts = new Map<Buffer, Map<string, Text>>();

  raw(body: CapturedBody): Buffer {
    let bytes = this.bytes.get(body);
    if (bytes === undefined) {
      bytes = capturedBytes(body);
      this.bytes.set(body, bytes);
    }
    return bytes;
  }

  /**
   * decodeBody of the body's bytes. A result is reused under another limit when that gives the same:
   * no coding to undo, or one whose output fits the new limit (a chain of codings is decoded again, as
   * each step's output is capped).
   */
  decoded(body: CapturedBody, headers: HeaderMap, maxBytes: number): DecodeResult {
    const codings = headerValue(headers, 'content-encoding') ?? '';
    const known = this.decodings.get(body);
    if (known !== undefined && known.codings === codings && this.reusable(known, maxBytes, headers)) return known.result;
    const result = decodeBody(this.raw(body), headers, maxBytes);
    this.decodings.set(body, { limit: maxBytes, codings, result });
    return result;
  }

  private reusable(known: Decoded, maxBytes: number, headers: HeaderMap): boolean {
    if (known.limit === maxBytes) return true;
    if (!('bytes' in known.result)) return false;
    const steps = contentCodings(headers).length;
    return steps === 0 || (steps === 1 && known.result.bytes.length <= Math.floor(maxBytes));
  }

  /** bodyText of decoded bytes, once per buffer and charset. */
  text(bytes: Buffer, contentType: string | undefined): string {
    return this.entry(bytes, contentType).text;
  }

  /** The text parsed as JSON (lossless, parse-json.ts); undefined when it is not JSON. Not to be mutated. */
  json(bytes: Buffer, contentType: string | undefined): ParsedJson | undefined {
    const entry = this.entry(bytes, contentType);
    if (entry.json === undefined) {
      try {
        entry.json = parseJson(entry.text);
      } catch {
        entry.json = null;
      }
    }
    return entry.json ?? undefined;
  }

  private entry(bytes: Buffer, contentType: string | undefined): Text {
    let byCharset = this.texts.get(bytes);
    if (byCharset === undefined) {
      byCharset = new Map();
      this.texts.set(bytes, byCharset);
    }
    const charset = charsetOf(contentType) ?? '';
    let entry = byCharset.get(charset);
    if (entry === undefined) {
      entry = { text: bodyText(bytes, contentType) };
      byCharset.set(charset, entry);
    }
    return entry;
  }
}
