import type { ArrayMode, ArrayRule, ComparisonRules, HeaderRules, ToleranceRule } from './rules.js';
import { parsePathPattern } from './json-path.js';

const ARRAY_MODES: readonly ArrayMode[] = ['ordered', 'unordered', 'keyed'];
const RULE_KEYS = ['ignore', 'headers', 'arrays', 'tolerance'];
const HEADER_KEYS = ['ignore', 'allow'];
const ARRAY_RULE_KEYS = ['path', 'mode', 'key'];
const TOLERANCE_KEYS = ['path', 'absolute', 'relative'];
/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/**
 * Validate comparison rules as they come from the config file (YAML), e.g.
 *
 *   ignore: ['$.meta.generatedAt', '$..timestamp']
 *   headers: { ignore: [x-served-by], allow: [content-type, cache-control] }
 *   arrays: [{ path: $.tags, mode: unordered }, { path: $.items, mode: keyed, key: id }]
 *   tolerance: [{ path: $.total, absolute: 0.01 }, { path: $..score, relative: 0.001 }]
 *
 * Every problem is reported (not only the first), each prefixed with `where` and the place in the
 * rules, e.g. `rules.endpoints["GET /users/:id"].tolerance[0]: needs absolute and/or relative`.
 * Unknown keys are errors (a misspelt `tolerence` would otherwise silently do nothing). `undefined` and
 * `null` are no rules. The returned rules hold only the valid parts, normalized: header names trimmed
 * and lower-cased, duplicates within a list dropped, `key` kept only for keyed arrays.
 */
export function validateRules(rules: unknown, where: string): { rules: ComparisonRules; errors: string[] } {
  const errors: string[] = [];
  const out: { -readonly [K in keyof ComparisonRules]: ComparisonRules[K] } = {};
  if (rules === undefined || rules === null) return { rules: out, errors };
  if (!isMapping(rules)) {
    errors.push(`${where}: must be a mapping with ${RULE_KEYS.join(', ')} (got ${describe(rules)})`);
    return { rules: out, errors };
  }
  unknownKeys(rules, RULE_KEYS, where, errors);

  if (rules.ignore !== undefined) {
    const patterns = stringList(rules.ignore, `${where}.ignore`, errors, (value, at) => pathError(value, at, errors));
    if (patterns !== undefined) out.ignore = patterns;
  }

  if (rules.headers !== undefined) {
    const headers = validateHeaders(rules.headers, `${where}.headers`, errors);
    if (headers !== undefined) out.headers = headers;
  }

  if (rules.arrays !== undefined) {
    const arrays = list(rules.arrays, `${where}.arrays`, errors, (item, at) => validateArrayRule(item, at, errors));
    if (arrays !== undefined) out.arrays = arrays;
  }

  if (rules.tolerance !== undefined) {
    const tolerance = list(rules.tolerance, `${where}.tolerance`, errors, (item, at) => validateTolerance(item, at, errors));
    if (tolerance !== undefined) out.tolerance = tolerance;
  }

  return { rules: out, errors };
}

function unknownKeys(mapping: Mapping, known: readonly string[], where: string, errors: string[]): void {
  for (const key of Object.keys(mapping)) {
    if (!known.includes(key)) errors.push(`${where}: unknown key ${JSON.stringify(key)} (expected ${known.join(', ')})`);
  }
}

/** The valid items of a list, each validated by `item` (undefined when invalid). */
function list<T>(value: unknown, where: string, errors: string[], item: (value: unknown, where: string) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) {
    errors.push(`${where}: must be a list (got ${describe(value)})`);
    return undefined;
  }
  const out: T[] = [];
  value.forEach((element: unknown, index) => {
    const valid = item(element, `${where}[${index}]`);
    if (valid !== undefined) out.push(valid);
  });
  return out;
}

/** A list of strings, each optionally checked further (`check` returns false when it reported an error). */
function stringList(
  value: unknown,
  where: string,
  errors: string[],
  check: (value: string, where: string, original: string) => boolean,
  normalize: (value: string) => string = (s) => s,
): string[] | undefined {
  const items = list(value, where, errors, (element, at) => {
    if (typeof element !== 'string') {
      errors.push(`${at}: must be a string (got ${describe(element)})`);
      return undefined;
    }
    const normalized = normalize(element);
    return check(normalized, at, element) ? normalized : undefined;
  });
  return items === undefined ? undefined : [...new Set(items)];
}

/** True when the pattern parses; otherwise reports why. */
function pathError(pattern: string, where: string, errors: string[]): boolean {
  try {
    parsePathPattern(pattern);
    return true;
  } catch (error) {
    errors.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function validateHeaders(value: unknown, where: string, errors: string[]): HeaderRules | undefined {
  if (!isMapping(value)) {
    errors.push(`${where}: must be a mapping with ${HEADER_KEYS.join(', ')} (got ${describe(value)})`);
    return undefined;
  }
  unknownKeys(value, HEADER_KEYS, where, errors);
  const headerName = (name: string, at: string, original: string): boolean => {
    if (HEADER_NAME.test(name)) return true;
    errors.push(`${at}: ${JSON.stringify(original)} is not a header name`);
    return false;
  };
  const normalize = (name: string): string => name.trim().toLowerCase();
  const out: { ignore?: string[]; allow?: string[] } = {};
  if (value.ignore !== undefined) {
    const ignore = stringList(value.ignore, `${where}.ignore`, errors, headerName, normalize);
    if (ignore !== undefined) out.ignore = ignore;
  }
  if (value.allow !== undefined) {
    const allow = stringList(value.allow, `${where}.allow`, errors, headerName, normalize);
    if (allow !== undefined) out.allow = allow;
  }
  return out;
}

/** A `path` member that is a string and parses; reports otherwise. */
function pathMember(rule: Mapping, where: string, errors: string[]): string | undefined {
  if (rule.path === undefined) {
    errors.push(`${where}: needs a path`);
    return undefined;
  }
  if (typeof rule.path !== 'string') {
    errors.push(`${where}.path: must be a string (got ${describe(rule.path)})`);
    return undefined;
  }
  return pathError(rule.path, `${where}.path`, errors) ? rule.path : undefined;
}

function validateArrayRule(value: unknown, where: string, errors: string[]): ArrayRule | undefined {
  if (!isMapping(value)) {
    errors.push(`${where}: must be a mapping with path, mode and (for keyed) key (got ${describe(value)})`);
    return undefined;
  }
  const before = errors.length;
  unknownKeys(value, ARRAY_RULE_KEYS, where, errors);
  const path = pathMember(value, where, errors);
  const mode = value.mode;
  if (mode === undefined) errors.push(`${where}: needs a mode (${ARRAY_MODES.join(', ')})`);
  else if (!ARRAY_MODES.includes(mode as ArrayMode)) {
    errors.push(`${where}.mode: must be one of ${ARRAY_MODES.join(', ')} (got ${describe(mode)})`);
  }
  if (mode === 'keyed') {
    if (value.key === undefined) errors.push(`${where}: mode keyed needs a key (the member that identifies an element, e.g. id)`);
    else if (typeof value.key !== 'string' || value.key === '') errors.push(`${where}.key: must be a non-empty string (got ${describe(value.key)})`);
  } else if (value.key !== undefined && ARRAY_MODES.includes(mode as ArrayMode)) {
    errors.push(`${where}.key: only applies to mode keyed (mode is ${String(mode)})`);
  }
  if (errors.length > before || path === undefined) return undefined;
  return mode === 'keyed' ? { path, mode, key: value.key as string } : { path, mode: mode as ArrayMode };
}

function validateTolerance(value: unknown, where: string, errors: string[]): ToleranceRule | undefined {
  if (!isMapping(value)) {
    errors.push(`${where}: must be a mapping with path and absolute and/or relative (got ${describe(value)})`);
    return undefined;
  }
  const before = errors.length;
  unknownKeys(value, TOLERANCE_KEYS, where, errors);
  const path = pathMember(value, where, errors);
  const bound = (name: 'absolute' | 'relative'): number | undefined => {
    const v = value[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      errors.push(`${where}.${name}: must be a non-negative number (got ${describe(v)})`);
      return undefined;
    }
    return v;
  };
  const absolute = bound('absolute');
  const relative = bound('relative');
  if (value.absolute === undefined && value.relative === undefined) errors.push(`${where}: needs absolute and/or relative`);
  if (errors.length > before || path === undefined) return undefined;
  const rule: ToleranceRule = { path };
  if (absolute !== undefined) rule.absolute = absolute;
  if (relative !== undefined) rule.relative = relative;
  return rule;
}
