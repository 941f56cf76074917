/**
 * Redaction of what is persisted: secret headers (the defaults plus configured names), configured
 * JSON paths in any body that parses as JSON and in form fields, and secret query parameters of
 * stored URLs are replaced before anything reaches the store — captures, discrepancy evidence and
 * the values of differences alike. With a key (the store's own), a redacted value becomes a short
 * keyed hash, so a difference in a secret still shows without revealing it.
 */
import { capturedBody, isEmptyBody, type CapturedBody } from '../http/body.js';
import { firstHeader, type HeaderMap } from '../http/headers.js';
import { contentKind } from './content-kind.js';
import { DecodedBodies } from './decoded-bodies.js';
import { stringifyExact } from './exact-number.js';
import { matchesPath, parsePathPattern, type PathPattern, type Segment } from './json-path.js';
import { parseJson } from './parse-json.js';
import { DEFAULT_REDACTED_HEADERS, REDACTED, redactedMarker, redactHeaders } from '../http/redact-headers.js';
import { looksLikeUrlEncodedForm, multipartBoundary, redactMultipart, redactUrlEncodedForm } from './redact-form.js';
import { DEFAULT_REDACTED_QUERY_PARAMS, redactQuery } from './redact-url.js';

export { DEFAULT_REDACTED_QUERY_PARAMS } from './redact-url.js';

export interface RedactionOptions {
  /** Header names redacted on top of the defaults (authorization, proxy-authorization, cookie, set-cookie). */
  headers?: readonly string[];
  /** JSON paths (`$.password`, `$..token`, `$.cards[*].number`) redacted in JSON bodies and form fields. */
  jsonPaths?: readonly string[];
  /** Query parameters whose values are redacted in stored URLs (the default list when absent). */
  queryParams?: readonly string[];
  /** HMAC key for comparable markers; without it every redacted value is the same marker. */
  key?: Buffer;
}

/** Bodies larger than this once decoded are not parsed for redaction; they are dropped instead. */
const MAX_REDACTABLE_BYTES = 8 * 1024 * 1024;

type Redacted = { body: CapturedBody; headers: HeaderMap };

export class Redaction {
  readonly headerNames: ReadonlySet<string>;
  private readonly patterns: PathPattern[];
  private readonly queryNames: ReadonlySet<string>;
  private readonly key: Buffer | undefined;

  constructor(opts: RedactionOptions = {}) {
    this.headerNames = new Set([...DEFAULT_REDACTED_HEADERS, ...(opts.headers ?? [])].map((h) => h.toLowerCase()));
    this.patterns = (opts.jsonPaths ?? []).map((p) => parsePathPattern(p));
    this.queryNames = new Set((opts.queryParams ?? DEFAULT_REDACTED_QUERY_PARAMS).map((q) => q.toLowerCase()));
    this.key = opts.key;
  }

  get hasBodyRules(): boolean {
    return this.patterns.length > 0;
  }

  headers(headers: HeaderMap): HeaderMap {
    return redactHeaders(headers, this.headerNames);
  }

  /** The marker for one redacted value (JSON values are hashed in their JSON form). */
  value(value: unknown): string {
    return redactedMarker(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), this.key);
  }

  /** A URL as it may be stored: the values of secret query parameters replaced. */
  url(url: string): string {
    return redactQuery(url, this.queryNames, (v) => this.value(v));
  }

  /** True when a difference at this canonical path lies at or below a redacted JSON path or form field. */
  coversPath(path: string): boolean {
    if (path.startsWith('form.')) return this.fieldRedacted(path.slice('form.'.length));
    return path.startsWith('$') && this.patterns.some((p) => matchesPath(p, path, { prefix: true }));
  }

  /**
   * A body's text as a difference carries it (a `text_differs` value, cut to a length): redacted by
   * the same rules as a stored body. JSON that does not parse (cut, or broken) might hold what must
   * be redacted, so none of it is kept; a form's fields are redacted by name; other text stays.
   */
  text(text: string): string {
    if (!this.hasBodyRules) return text;
    const start = text.trimStart()[0];
    if (start === '{' || start === '[') {
      try {
        const [masked, changed] = this.mask(parseJson(text).value);
        return changed ? stringifyExact(masked) : text;
      } catch {
        return REDACTED;
      }
    }
    if (looksLikeUrlEncodedForm(text.trim())) return redactUrlEncodedForm(text, (name) => this.fieldRedacted(name), (v) => this.value(v)) ?? text;
    return text;
  }

  /**
   * Redacts a body. Returns the body and the headers that go with it: a redacted body is stored
   * decoded, so content-encoding and content-length no longer apply. `bodies`: the job's decoded
   * bodies, so a body the comparison decoded is not decoded again.
   */
  body(body: CapturedBody, headers: HeaderMap, bodies = new DecodedBodies()): Redacted {
    const redactedHeaders = this.headers(headers);
    if (!this.hasBodyRules || isEmptyBody(body)) return { body, headers: redactedHeaders };
    const contentType = firstHeader(headers, 'content-type');
    const kind = contentKind(contentType);
    const decoded = bodies.decoded(body, headers, MAX_REDACTABLE_BYTES);
    if ('error' in decoded) return kind === 'json' ? this.dropped(body, redactedHeaders) : { body, headers: redactedHeaders };
    const boundary = multipartBoundary(contentType);
    if (boundary) return this.multipart(body, decoded.bytes, boundary, redactedHeaders);
    const text = bodies.text(decoded.bytes, contentType);
    const json = this.json(body, text, kind === 'json', redactedHeaders);
    if (json) return json;
    if (kind === 'form' || (contentType === undefined && looksLikeUrlEncodedForm(text.trim()))) return this.form(body, text, redactedHeaders);
    return { body, headers: redactedHeaders };
  }

  /** Null when the text is not JSON (and was not declared JSON). */
  private json(body: CapturedBody, text: string, declared: boolean, headers: HeaderMap): Redacted | null {
    const start = text.trimStart()[0];
    if (!declared && start !== '{' && start !== '[') return null;
    let value: unknown;
    try {
      if (body.truncated) throw new Error('not redactable');
      value = parseJson(text).value;
    } catch {
      // A JSON body we cannot read might hold what must be redacted: keep none of it.
      return declared || body.truncated ? this.dropped(body, headers) : null;
    }
    const [masked, changed] = this.mask(value);
    if (!changed) return { body, headers };
    return replaced(Buffer.from(stringifyExact(masked)), headers);
  }

  private form(body: CapturedBody, text: string, headers: HeaderMap): Redacted {
    if (body.truncated) return this.dropped(body, headers);
    const out = redactUrlEncodedForm(text, (name) => this.fieldRedacted(name), (v) => this.value(v));
    return out === null ? { body, headers } : replaced(Buffer.from(out), headers);
  }

  private multipart(body: CapturedBody, bytes: Buffer, boundary: string, headers: HeaderMap): Redacted {
    if (body.truncated) return this.dropped(body, headers);
    const out = redactMultipart(bytes, boundary, (name) => this.fieldRedacted(name), (v) => this.value(v));
    return out === null ? { body, headers } : replaced(out, headers);
  }

  private dropped(body: CapturedBody, headers: HeaderMap): Redacted {
    return { body: capturedBody(Buffer.from(REDACTED), body.size, body.truncated), headers: withoutEncoding(headers) };
  }

  private fieldRedacted(name: string): boolean {
    return this.patterns.some((p) => matchesPath(p, [name], { prefix: false }));
  }

  /** Replaces every node at a redacted path; iterative, so deep documents cannot exhaust the stack. */
  private mask(root: unknown): [unknown, boolean] {
    if (this.patterns.some((p) => matchesPath(p, [], { prefix: false }))) return [this.value(root), true];
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
          (node as Record<string | number, unknown>)[key] = this.value(child);
          changed = true;
        } else if (child !== null && typeof child === 'object') {
          stack.push({ node: child as Record<string, unknown>, path: childPath });
        }
      }
    }
    return [root, changed];
  }
}

function replaced(bytes: Buffer, headers: HeaderMap): Redacted {
  return { body: capturedBody(bytes), headers: withoutEncoding(headers) };
}

function withoutEncoding(headers: HeaderMap): HeaderMap {
  const out = { ...headers };
  delete out['content-encoding'];
  delete out['content-length'];
  return out;
}
