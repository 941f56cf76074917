/**
 * Redaction of what is persisted: secret headers (the defaults plus configured names) and
 * configured JSON body paths are replaced by a marker before anything reaches the store —
 * captures, discrepancy evidence and the values of differences alike.
 */
import { contentKind } from '../diff/content-kind.js';
import { bodyText, decodeBody } from '../diff/decode-body.js';
import { matchesPath, parsePathPattern, type PathPattern, type Segment } from '../diff/json-path.js';
import type { CapturedBody, HeaderMap } from '../types/exchange.js';
import { DEFAULT_REDACTED_HEADERS, REDACTED, redactHeaders } from './redact.js';

export interface RedactionOptions {
  /** Header names redacted on top of the defaults (authorization, proxy-authorization, cookie, set-cookie). */
  headers?: readonly string[];
  /** JSON paths (`$.password`, `$..token`, `$.cards[*].number`) redacted in JSON bodies. */
  jsonPaths?: readonly string[];
}

/** Bodies larger than this once decoded are not parsed for redaction; they are dropped instead. */
const MAX_REDACTABLE_BYTES = 8 * 1024 * 1024;

export class Redaction {
  readonly headerNames: ReadonlySet<string>;
  private readonly patterns: PathPattern[];

  constructor(opts: RedactionOptions = {}) {
    this.headerNames = new Set([...DEFAULT_REDACTED_HEADERS, ...(opts.headers ?? [])].map((h) => h.toLowerCase()));
    this.patterns = (opts.jsonPaths ?? []).map((p) => parsePathPattern(p));
  }

  get hasBodyRules(): boolean {
    return this.patterns.length > 0;
  }

  headers(headers: HeaderMap): HeaderMap {
    return redactHeaders(headers, this.headerNames);
  }

  /** True when a difference at this canonical path lies at or below a redacted JSON path. */
  coversPath(path: string): boolean {
    return path.startsWith('$') && this.patterns.some((p) => matchesPath(p, path, { prefix: true }));
  }

  /**
   * Redacts a JSON body. Returns the body and the headers that go with it: a redacted body is
   * stored decoded, so content-encoding and content-length no longer apply.
   */
  body(body: CapturedBody, headers: HeaderMap): { body: CapturedBody; headers: HeaderMap } {
    const redactedHeaders = this.headers(headers);
    if (!this.hasBodyRules || body.base64 === '') return { body, headers: redactedHeaders };
    const contentType = [headers['content-type']].flat()[0];
    if (contentKind(contentType) !== 'json') return { body, headers: redactedHeaders };
    const decoded = decodeBody(Buffer.from(body.base64, 'base64'), headers, MAX_REDACTABLE_BYTES);
    let value: unknown;
    try {
      if ('error' in decoded || body.truncated) throw new Error('not redactable');
      value = JSON.parse(bodyText(decoded.bytes, contentType));
    } catch {
      // A JSON body we cannot read might hold what must be redacted: keep none of it.
      return { body: { base64: Buffer.from(REDACTED).toString('base64'), size: body.size, truncated: body.truncated }, headers: withoutEncoding(redactedHeaders) };
    }
    const [masked, changed] = this.mask(value);
    if (!changed) return { body, headers: redactedHeaders };
    const bytes = Buffer.from(JSON.stringify(masked));
    return { body: { base64: bytes.toString('base64'), size: bytes.length, truncated: false }, headers: withoutEncoding(redactedHeaders) };
  }

  /** Replaces every node at a redacted path; iterative, so deep documents cannot exhaust the stack. */
  private mask(root: unknown): [unknown, boolean] {
    if (this.patterns.some((p) => matchesPath(p, [], { prefix: false }))) return [REDACTED, true];
    let changed = false;
    const stack: { node: Record<string, unknown> | unknown[]; path: Segment[] }[] = [];
    if (root !== null && typeof root === 'object') stack.push({ node: root as Record<string, unknown>, path: [] });
    while (stack.length > 0) {
      const { node, path } = stack.pop() as (typeof stack)[number];
      const keys: Segment[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      for (const key of keys) {
        const childPath = [...path, key];
        const child = (node as Record<string | number, unknown>)[key];
        if (this.patterns.some((p) => matchesPath(p, childPath, { prefix: false }))) {
          (node as Record<string | number, unknown>)[key] = REDACTED;
          changed = true;
        } else if (child !== null && typeof child === 'object') {
          stack.push({ node: child as Record<string, unknown>, path: childPath });
        }
      }
    }
    return [root, changed];
  }
}

function withoutEncoding(headers: HeaderMap): HeaderMap {
  const out = { ...headers };
  delete out['content-encoding'];
  delete out['content-length'];
  return out;
}
