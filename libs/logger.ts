/** Process logger: JSON lines on stderr, secrets redacted wherever they appear in a logged object. */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Headers whose values are secrets: never logged, queued or stored. The one list: it lives here,
 * in the foundation, because every stage logs; libs/http/redact-headers.ts redacts the same names
 * before capture.
 */
export const SECRET_HEADERS: readonly string[] = Object.freeze(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** pino redaction paths for the secret headers of the `headers` objects under each prefix (`''`, `'req.'`, `'*.'`). */
export function secretHeaderPaths(prefixes: readonly string[]): string[] {
  return SECRET_HEADERS.flatMap((h) => prefixes.map((prefix) => `${prefix}headers["${h}"]`));
}

const SECRET_PATHS = secretHeaderPaths(['', '*.', '*.*.']);

export function createLogger(level: string, name: string): Logger {
  return pino({ name, level, redact: { paths: SECRET_PATHS, censor: '[REDACTED]' } }, pino.destination(2));
}
