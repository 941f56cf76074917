import type { HeaderMap } from '../../../libs/http/headers.js';
import type { CapturedResponse, Exchange } from '../../../libs/exchange/exchange.js';

export type ComparedExchange = Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError'>;

export interface ResponseSpec {
  status?: number;
  headers?: HeaderMap;
  /** A string is sent as UTF-8; a Buffer as is; an object as JSON. */
  body?: string | Buffer | object;
}

export function response(spec: ResponseSpec = {}): CapturedResponse {
  const { status = 200, headers = {}, body = '' } = spec;
  const bytes = Buffer.isBuffer(body)
    ? body
    : typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.from(JSON.stringify(body), 'utf8');
  return { status, headers, body: { bytes, size: bytes.length, truncated: false }, latencyMs: 12 };
}

export function exchange(
  primary: ResponseSpec,
  shadow: ResponseSpec,
  request: { method?: string; url?: string } = {},
): ComparedExchange {
  return {
    request: {
      method: request.method ?? 'GET',
      url: request.url ?? '/reviews/7?lang=en',
      headers: { accept: 'application/json' },
      body: { bytes: Buffer.alloc(0), size: 0, truncated: false },
    },
    primary: response(primary),
    shadow: response(shadow),
    shadowError: null,
  };
}
