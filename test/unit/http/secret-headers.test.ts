/** The one secret-header list: what capture redacts is what the loggers redact. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_HEADERS } from '../../../libs/http/redact-headers.js';
import { SECRET_HEADERS, secretHeaderPaths } from '../../../libs/logger.js';

describe('the secret headers', () => {
  it('are the credentials and the cookies, redacted before capture', () => {
    expect(SECRET_HEADERS).toEqual(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
    expect(DEFAULT_REDACTED_HEADERS).toBe(SECRET_HEADERS);
  });

  it('give pino a redaction path per header and place', () => {
    expect(secretHeaderPaths(['req.'])).toEqual([
      'req.headers["authorization"]',
      'req.headers["proxy-authorization"]',
      'req.headers["cookie"]',
      'req.headers["set-cookie"]',
    ]);
    expect(secretHeaderPaths(['', '*.'])).toHaveLength(8);
  });
});
