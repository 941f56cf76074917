/** An upstream from configuration: an undici Pool for its origin plus the base path its URL carries. */
import { Pool } from 'undici';

export interface Upstream {
  pool: Pool;
  /** Path prefix of the configured URL, without trailing slash ('' for none). */
  basePath: string;
  /** `host[:port]` of the configured URL. */
  host: string;
}

export function createUpstream(baseUrl: string, opts: { connections?: number | null } = {}): Upstream {
  const url = new URL(baseUrl);
  return {
    // Keep-alive connections to a fixed origin: the ingress never connects anywhere a request names.
    pool: new Pool(url.origin, { connections: opts.connections ?? null, keepAliveTimeout: 10_000, pipelining: 1 }),
    basePath: url.pathname.replace(/\/+$/, ''),
    host: url.host,
  };
}
