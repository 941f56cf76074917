import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../libs/compare/errors.js';
import { replaceSection } from '../../libs/config/docs-section.js';
import * as errors from '../../libs/errors.js';
import { ERROR_CLASSES, ERROR_CODE_DOCS, ERROR_CODES, ERROR_CODES_SECTION, errorCodesTable, isErrorCode, ShadowDiffError, type ErrorCode } from '../../libs/errors.js';
import { HTTP_STATUS_BY_CODE } from '../../services/report-api/http-errors.js';

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

describe('docs/errors.md', () => {
  it('holds the table generated from libs/errors.ts (npm run docs:errors)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toContain(errorCodesTable());
    expect(replaceSection(doc, ERROR_CODES_SECTION, errorCodesTable())).toBe(doc);
  });

  it('gives each report API code the status the API answers it with', () => {
    for (const [code, status] of Object.entries(HTTP_STATUS_BY_CODE)) {
      expect(ERROR_CODE_DOCS[code as ErrorCode].where, code).toMatch(new RegExp(`report API[^;]*, ${status}\\b`));
    }
  });
});

describe('the error classes', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];
  /** Every class libs/errors.ts exports that is a ShadowDiffError, by its exported name. */
  const exported = (Object.entries(errors) as [string, unknown][]).filter(
    (e): e is [string, abstract new (...args: never[]) => ShadowDiffError] => typeof e[1] === 'function' && e[1].prototype instanceof ShadowDiffError,
  );

  it('are one per code: every code has exactly one subclass, and every subclass is the class of a code', () => {
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual([...codes].sort());
    expect(new Set(Object.values(ERROR_CLASSES)).size).toBe(codes.length);
    expect(new Set(exported.map(([, cls]) => cls))).toEqual(new Set(Object.values(ERROR_CLASSES)));
  });

  it.each(codes)('%s: its class carries the code and its own name, and is a ShadowDiffError', (code) => {
    const Class = ERROR_CLASSES[code];
    const error = new Class('what went wrong');
    expect(error.code).toBe(code);
    expect(error.name).toBe(Class.name);
    expect(exported.find(([, cls]) => cls === Class)?.[0]).toBe(Class.name);
    expect(error).toBeInstanceOf(ShadowDiffError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('what went wrong');
    expect(error.details).toEqual([]);
    expect(error.parameter).toBeUndefined();
    expect(Object.keys(ERROR_CLASSES).filter((c) => error instanceof ERROR_CLASSES[c as ErrorCode])).toEqual([code]);
  });

  it('keep the details, the parameter and the cause they are given', () => {
    const cause = new Error('underneath');
    const error = new errors.ConfigInvalidError('invalid configuration', { details: ['a', 'b'], parameter: 'port', cause });
    expect(error.details).toEqual(['a', 'b']);
    expect(error.parameter).toBe('port');
    expect(error.cause).toBe(cause);
  });

  it('tell the codes from other strings', () => {
    expect(codes.every(isErrorCode)).toBe(true);
    expect(isErrorCode('SQLITE_BUSY')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('a subclass of a code class keeps its code and has its own name (RuleError)', () => {
    const error = new RuleError('invalid path pattern');
    expect(error).toBeInstanceOf(errors.ConfigInvalidError);
    expect(error.code).toBe('SD_ERR_CONFIG_INVALID');
    expect(error.name).toBe('RuleError');
  });
});
