/** The version in the package's own package.json, for `shadow-diff --version`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../../libs/errors.js';

/** package.json at the package root: two levels up from the sources, three from dist/. */
export function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const file = resolve(here, up, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === 'shadow-diff' && typeof manifest.version === 'string') return manifest.version;
  }
  throw new InternalError(`shadow-diff's package.json not found above ${here}`);
}
