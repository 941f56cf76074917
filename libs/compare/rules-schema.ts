/**
 * The comparison rules of the config file, as zod schemas that word every problem the way the
 * config's error lines read (libs/values/schema-issues.ts places them):
 *
 *   ignore: ['$.meta.generatedAt', '$..timestamp']
 *   headers: { ignore: [x-served-by], allow: [content-type, cache-control] }
 *   arrays: [{ path: $.tags, mode: unordered }, { path: $.items, mode: keyed, key: id }]
 *   tolerance: [{ path: $.total, absolute: 0.01 }, { path: $..score, relative: 0.001 }]
 *
 * Parsed values are normalized: header names trimmed and lower-cased, duplicates within a list
 * dropped, `key` kept only for keyed arrays.
 */
import { z } from 'zod';
import { atParent, describeValue, isMapping, mapping } from '../values/schema-issues.js';
import { parsePathPattern } from './json-path.js';
import type { ArrayMode, ArrayRule, ToleranceRule } from './rules.js';

const ARRAY_MODES = ['ordered', 'unordered', 'keyed'] as const satisfies readonly ArrayMode[];
/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

const got = (input: unknown) => `(got ${describeValue(input)})`;
const unknownKey = (known: readonly string[]) => (key: string) => `unknown key ${JSON.stringify(key)} (expected ${known.join(', ')})`;
const text = () => z.string({ error: (iss) => `must be a string ${got(iss.input)}` });

/** A list whose duplicates are dropped. */
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: (iss) => `must be a list ${got(iss.input)}` });
const uniqueList = <T extends z.ZodType<string>>(item: T) => list(item).transform((items) => [...new Set(items)]);

const parsesAsPath = z.superRefine((pattern: string, ctx) => {
  try {
    parsePathPattern(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  }
});
const pathPattern = text().check(parsesAsPath);

/** A path member: missing is the rule's problem (`needs a path`), a bad one the member's. */
const pathMember = z.string({ error: (iss) => (iss.input === undefined ? atParent('needs a path') : `must be a string ${got(iss.input)}`) }).check(parsesAsPath);

const normalizeHeader = (name: string) => name.trim().toLowerCase();
const headerName = text()
  .superRefine((name, ctx) => {
    if (!HEADER_NAME.test(normalizeHeader(name))) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a header name` });
  })
  .transform(normalizeHeader);

const HEADER_KEYS = ['ignore', 'allow'];
const headerRules = mapping(
  { ignore: uniqueList(headerName).optional(), allow: uniqueList(headerName).optional() },
  { notMapping: (input) => `must be a mapping with ${HEADER_KEYS.join(', ')} ${got(input)}`, unknownKey: unknownKey(HEADER_KEYS) },
);

const mode = z
  .unknown()
  .superRefine((m, ctx) => {
    if (m === undefined) ctx.addIssue({ code: 'custom', message: atParent(`needs a mode (${ARRAY_MODES.join(', ')})`) });
    else if (!isArrayMode(m)) ctx.addIssue({ code: 'custom', message: `must be one of ${ARRAY_MODES.join(', ')} ${got(m)}` });
  })
  .transform((m) => m as ArrayMode);

function isArrayMode(value: unknown): value is ArrayMode {
  return (ARRAY_MODES as readonly unknown[]).includes(value);
}

/** Checks that need the whole rule run even when a member is wrong, as every problem is reported. */
const always = { when: (payload: { value: unknown }) => isMapping(payload.value) };

const arrayRule = mapping(
  { path: pathMember, mode, key: z.unknown().optional() },
  { notMapping: (input) => `must be a mapping with path, mode and (for keyed) key ${got(input)}`, unknownKey: unknownKey(['path', 'mode', 'key']) },
)
  .check(
    z.superRefine(({ mode, key }, ctx) => {
      if (mode === 'keyed') {
        if (key === undefined) ctx.addIssue({ code: 'custom', message: 'mode keyed needs a key (the member that identifies an element, e.g. id)' });
        else if (typeof key !== 'string' || key === '') ctx.addIssue({ code: 'custom', path: ['key'], message: `must be a non-empty string ${got(key)}` });
      } else if (key !== undefined && isArrayMode(mode)) {
        ctx.addIssue({ code: 'custom', path: ['key'], message: `only applies to mode keyed (mode is ${String(mode)})` });
      }
    }, always),
  )
  .transform(({ path, mode, key }): ArrayRule => (mode === 'keyed' ? { path, mode, key: key as string } : { path, mode }));

const bound = z
  .number({ error: (iss) => `must be a non-negative number ${got(iss.input)}` })
  .min(0, { error: (iss) => `must be a non-negative number ${got(iss.input)}` })
  .optional();

const toleranceRule = mapping(
  { path: pathMember, absolute: bound, relative: bound },
  { notMapping: (input) => `must be a mapping with path and absolute and/or relative ${got(input)}`, unknownKey: unknownKey(['path', 'absolute', 'relative']) },
)
  .check(
    z.superRefine((rule, ctx) => {
      if (rule.absolute === undefined && rule.relative === undefined) ctx.addIssue({ code: 'custom', message: 'needs absolute and/or relative' });
    }, always),
  )
  .transform((rule) => rule as ToleranceRule);

const RULE_KEYS = ['ignore', 'headers', 'arrays', 'tolerance'];

/** The rules of `rules.global` or of one endpoint. */
export const comparisonRulesSchema = mapping(
  { ignore: uniqueList(pathPattern).optional(), headers: headerRules.optional(), arrays: list(arrayRule).optional(), tolerance: list(toleranceRule).optional() },
  { notMapping: (input) => `must be a mapping with ${RULE_KEYS.join(', ')} ${got(input)}`, unknownKey: unknownKey(RULE_KEYS) },
);
