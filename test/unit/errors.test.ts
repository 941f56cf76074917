import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../libs/errors.js';

describe('error codes', () => {
  const codes = Object.keys(ERROR_CODES);
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('are all SD_ERR_ names with a description', () => {
    for (const code of codes) {
      expect(code).toMatch(/^SD_ERR_[A-Z_]+$/);
      expect(ERROR_CODES[code as keyof typeof ERROR_CODES].length).toBeGreaterThan(10);
    }
  });

  it('are each documented in docs/errors.md, and the doc names no other', () => {
    const documented = [...doc.matchAll(/`(SD_ERR_[A-Z_]+)`/g)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(codes));
  });

  it('are each used somewhere in the code', () => {
    const used = execSync('grep -rhoE "SD_ERR_[A-Z_]+" libs services', { cwd: new URL('../..', import.meta.url) }).toString();
    for (const code of codes) {
      // libs/errors.ts itself defines every code; a real use appears at least twice.
      expect(used.split('\n').filter((l) => l === code).length, code).toBeGreaterThan(1);
    }
  });
});
