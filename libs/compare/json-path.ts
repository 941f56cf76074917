import { RuleError } from './errors.js';

/**
 * JSONPath-like patterns over canonical difference paths.
 *
 * A canonical path (what diffJson produces) is `$` followed by segments: `.name` for identifier keys,
 * `['any key']` for the others (backslash and single quote escaped), `[N]` for array indices, e.g.
 * `$.items[3].price`, `$['odd key'].c`.
 *
 * A pattern is `$` followed by steps:
 * - `.name`, `['name']`, `["name"]`: the object member `name` (never an array index);
 * - `[N]`: the array element at index N (never an object member);
 * - `.*`, `[*]`: any member or any element (as in JSONPath, both wildcards are the same);
 * - `..name`, `..['name']`, `..[N]`, `..*`, `..[*]`: recursive descent — the step may match at any depth
 *   below (one or more segments further down), e.g. `$..timestamp` matches `$.timestamp` and
 *   `$.a[2].b.timestamp`.
 *
 * Matching runs a small NFA over the path's segments: the state is the set of step positions reached,
 * so a pattern costs O(segments × steps) whatever its wildcards. Patterns are parsed once
 * (parsePathPattern, or the bounded cache of cachedPathPattern) and matched many times.
 */

/** One segment of a canonical path: a member name (string) or an array index (number). */
export type Segment = string | number;

export type PatternStep =
  | { readonly descent: boolean; readonly kind: 'name'; readonly name: string }
  | { readonly descent: boolean; readonly kind: 'index'; readonly index: number }
  | { readonly descent: boolean; readonly kind: 'any' };

export interface PathPattern {
  /** The pattern as written. */
  readonly source: string;
  readonly steps: readonly PatternStep[];
}

/**
 * An array index whose value is unknown or meaningless (elements of an unordered or keyed array): it is
 * matched by the wildcards only, never by `[N]`.
 */
export const ANY_INDEX = -1;

const DIGITS = /^\d+$/;
/** Characters that end a dotted name in a pattern. */
const NAME_STOP = new Set(['.', '[', ']', "'", '"', '*', ' ', '\t', '\n', '\r']);

function fail(pattern: string, message: string, position?: number): never {
  const where = position === undefined ? '' : ` at position ${position}`;
  throw new RuleError(`invalid path pattern ${JSON.stringify(pattern)}: ${message}${where}`);
}

/** A quoted name starting at `start` (on the quote): its value and the index after the closing quote. */
function readQuoted(source: string, start: number): { value: string; end: number } | undefined {
  const quote = source[start];
  let value = '';
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      if (i + 1 >= source.length) return undefined;
      value += source[i + 1];
      i++;
    } else if (c === quote) {
      return { value, end: i + 1 };
    } else {
      value += c;
    }
  }
  return undefined;
}

/**
 * Parse a pattern (see the module comment). Throws a RuleError saying what is wrong and where:
 * a missing `$`, an empty name, an unclosed bracket or quote, a negative or non-numeric index, a
 * trailing `.` or `..`.
 */
export function parsePathPattern(pattern: string): PathPattern {
  if (typeof pattern !== 'string') fail(String(pattern), 'a pattern must be a string');
  if (!pattern.startsWith('$')) fail(pattern, 'a pattern must start with "$"');
  const steps: PatternStep[] = [];
  let i = 1;
  while (i < pattern.length) {
    let descent = false;
    const c = pattern[i];
    if (c === '.') {
      if (pattern[i + 1] === '.') {
        descent = true;
        i += 2;
        if (i >= pattern.length) fail(pattern, '".." must be followed by a name, "*" or a bracket', i);
        if (pattern[i] === '.') fail(pattern, 'unexpected "."', i);
        if (pattern[i] === '[') {
          i = readBracket(pattern, i, descent, steps);
          continue;
        }
      } else {
        i += 1;
        if (i >= pattern.length) fail(pattern, '"." must be followed by a name or "*"', i);
      }
      if (pattern[i] === '*') {
        steps.push({ descent, kind: 'any' });
        i += 1;
        continue;
      }
      let end = i;
      while (end < pattern.length && !NAME_STOP.has(pattern[end] as string)) end++;
      if (end === i) fail(pattern, `expected a name after "${descent ? '..' : '.'}"`, i);
      steps.push({ descent, kind: 'name', name: pattern.slice(i, end) });
      i = end;
    } else if (c === '[') {
      i = readBracket(pattern, i, descent, steps);
    } else {
      fail(pattern, `unexpected ${JSON.stringify(c)} (expected ".", ".." or "[")`, i);
    }
  }
  return { source: pattern, steps };
}

/** A bracket step starting at `start` (on the `[`); returns the index after the `]`. */
function readBracket(pattern: string, start: number, descent: boolean, steps: PatternStep[]): number {
  const inner = start + 1;
  const c = pattern[inner];
  if (c === '*') {
    if (pattern[inner + 1] !== ']') fail(pattern, 'expected "]" after "[*"', inner + 1);
    steps.push({ descent, kind: 'any' });
    return inner + 2;
  }
  if (c === "'" || c === '"') {
    const quoted = readQuoted(pattern, inner);
    if (quoted === undefined) fail(pattern, `unclosed quote ${c}`, inner);
    if (pattern[quoted.end] !== ']') fail(pattern, 'expected "]" after the quoted name', quoted.end);
    steps.push({ descent, kind: 'name', name: quoted.value });
    return quoted.end + 1;
  }
  const close = pattern.indexOf(']', inner);
  if (close === -1) fail(pattern, 'unclosed "["', start);
  const text = pattern.slice(inner, close);
  if (!DIGITS.test(text)) {
    fail(pattern, `expected an index (digits), "*" or a quoted name inside brackets, got ${JSON.stringify(text)}`, inner);
  }
  const index = Number(text);
  if (!Number.isSafeInteger(index)) fail(pattern, `index ${text} is too large`, inner);
  steps.push({ descent, kind: 'index', index });
  return close + 1;
}

const PATTERN_CACHE_LIMIT = 4096;
const patternCache = new Map<string, PathPattern>();

/** parsePathPattern with a bounded cache (the rules of a config are a few hundred patterns at most). */
export function cachedPathPattern(pattern: string): PathPattern {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  const parsed = parsePathPattern(pattern);
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  patternCache.set(pattern, parsed);
  return parsed;
}

/**
 * The segments of a canonical path (`$`, `$.a`, `$['odd key']`, `$[3]`). Throws an Error when the
 * path is not canonical (a wildcard, a descent, no `$`).
 */
export function parseCanonicalPath(path: string): Segment[] {
  let pattern: PathPattern;
  try {
    pattern = cachedCanonical(path);
  } catch (error) {
    throw new Error(`not a canonical path: ${JSON.stringify(path)}`, { cause: error });
  }
  const segments: Segment[] = [];
  for (const step of pattern.steps) {
    if (step.descent || step.kind === 'any') throw new Error(`not a canonical path: ${JSON.stringify(path)}`);
    segments.push(step.kind === 'name' ? step.name : step.index);
  }
  return segments;
}

function cachedCanonical(path: string): PathPattern {
  // Difference paths repeat a lot across exchanges (same endpoint, same fields); parse them through the
  // same bounded cache as patterns.
  return cachedPathPattern(path);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `.name` for identifiers, `['any key']` otherwise (backslash and quote escaped). */
export function keySegment(key: string): string {
  if (IDENTIFIER.test(key)) return `.${key}`;
  return `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** The canonical path of segments; with `aggregate`, every index is written `[*]`. */
export function formatPath(segments: readonly Segment[], aggregate = false): string {
  let out = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') out += aggregate || segment < 0 ? '[*]' : `[${segment}]`;
    else out += keySegment(segment);
  }
  return out;
}

/**
 * The field of a path: the path aggregated per endpoint, every array index written `[*]`
 * (`$.items[3].price` -> `$.items[*].price`). Paths that are not JSON paths (`status`, `header.etag`,
 * `form.scope`, `body`) are their own field.
 */
export function fieldOf(path: string): string {
  if (!path.startsWith('$')) return path;
  try {
    return formatPath(parseCanonicalPath(path), true);
  } catch {
    return path;
  }
}

function stepMatches(step: PatternStep, segment: Segment): boolean {
  switch (step.kind) {
    case 'any':
      return true;
    case 'name':
      return typeof segment === 'string' && segment === step.name;
    case 'index':
      return typeof segment === 'number' && segment === step.index;
  }
}

/**
 * Whether the pattern matches the path. With `prefix`, it also matches when it matches an ancestor of
 * the path (ignoring `$.meta` ignores `$.meta.generatedAt`); without, only the path itself.
 */
export function matchesPath(pattern: PathPattern, path: string | readonly Segment[], opts: { prefix: boolean }): boolean {
  const segments = typeof path === 'string' ? parseCanonicalPath(path) : path;
  const { steps } = pattern;
  const n = steps.length;
  let states = [0];
  for (const segment of segments) {
    if (opts.prefix && states.includes(n)) return true;
    const next: number[] = [];
    for (const k of states) {
      const step = steps[k];
      if (step === undefined) continue;
      if (step.descent && !next.includes(k)) next.push(k);
      if (stepMatches(step, segment) && !next.includes(k + 1)) next.push(k + 1);
    }
    if (next.length === 0) return false;
    states = next;
  }
  return states.includes(n);
}

/** A state of a PathMatcher: the (pattern, step) positions reached. Null when no pattern can match below. */
export type MatchState = readonly number[];

/**
 * Several patterns matched together while walking a document: start from `initial`, step with each
 * segment on the way down (`next`), and ask which patterns match the current node exactly (`matching`).
 * A state that can no longer match anything is `null`, so whole subtrees skip the matching.
 */
export class PathMatcher {
  readonly patterns: readonly PathPattern[];
  private readonly stride: number;
  readonly initial: MatchState | null;

  constructor(patterns: readonly PathPattern[]) {
    this.patterns = patterns;
    this.stride = Math.max(0, ...patterns.map((p) => p.steps.length)) + 1;
    this.initial = patterns.length === 0 ? null : patterns.map((_, p) => p * this.stride);
  }

  next(state: MatchState | null, segment: Segment): MatchState | null {
    if (state === null) return null;
    let out: number[] | null = null;
    for (const code of state) {
      const p = Math.floor(code / this.stride);
      const k = code - p * this.stride;
      const step = this.patterns[p]?.steps[k];
      if (step === undefined) continue;
      if (step.descent) {
        out ??= [];
        if (!out.includes(code)) out.push(code);
      }
      if (stepMatches(step, segment)) {
        out ??= [];
        if (!out.includes(code + 1)) out.push(code + 1);
      }
    }
    return out;
  }

  /** Indices (into `patterns`) of the patterns that match the current node exactly, ascending. */
  matching(state: MatchState | null): number[] {
    if (state === null) return [];
    let out: number[] | undefined;
    for (const code of state) {
      const p = Math.floor(code / this.stride);
      if (code - p * this.stride === this.patterns[p]?.steps.length) (out ??= []).push(p);
    }
    return out === undefined ? [] : out.sort((a, b) => a - b);
  }
}
