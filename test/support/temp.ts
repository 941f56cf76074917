import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'shadow-diff-test-')), 'store.db');
export const randomPrefix = (): string => `sdtest-${randomBytes(6).toString('hex')}`;
