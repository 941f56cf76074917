/**
 * Strict number parsing for every numeric input: the report API, the CLI and the option table.
 * `Number()` and Ajv's coercion read ' ' as 0, '0x10' as 16 and '1e309' as Infinity; a threshold
 * read that way can make a failing candidate pass. Here a number is decimal text of an explicit
 * syntax (or a JSON number), finite and in range, or it is refused with a sentence that can follow
 * the parameter's name.
 */

/** Which decimal forms a kind of input accepts; each caller's set is pinned by its tests. */
export interface DecimalSyntax {
  /** Digits only: no sign, fraction or exponent. */
  whole?: boolean;
  /** A leading '-'. */
  sign?: boolean;
  /** `1e-3`. */
  exponent?: boolean;
  /** `.5`. */
  leadingDot?: boolean;
  /** `1.`. */
  trailingDot?: boolean;
}

/** The report API's and the CLI's numbers: `.5`, `1.`, `1e-3`, no sign. */
export const API_DECIMAL: DecimalSyntax = { exponent: true, leadingDot: true, trailingDot: true };
/** The option table's percentages: `-1`, `.5`, `12.5`, no exponent. */
export const PLAIN_DECIMAL: DecimalSyntax = { sign: true, leadingDot: true };
/** The option table's request rates: `0.5`, `1e-3`, no sign, no bare dot. */
export const RATE_DECIMAL: DecimalSyntax = { exponent: true };
/** Digits only. */
export const WHOLE: DecimalSyntax = { whole: true };

function patternOf(s: DecimalSyntax): RegExp {
  if (s.whole) return /^\d+$/;
  const fraction = s.trailingDot ? '(?:\\.\\d*)?' : '(?:\\.\\d+)?';
  const mantissa = `(?:\\d+${fraction}${s.leadingDot ? '|\\.\\d+' : ''})`;
  return new RegExp(`^${s.sign ? '-?' : ''}${mantissa}${s.exponent ? '(?:[eE][+-]?\\d+)?' : ''}$`);
}

const patterns = new WeakMap<DecimalSyntax, RegExp>();

/**
 * The number `text` writes in `syntax`; undefined when it is not written so. Past a double's range
 * (`1e309`, 400 digits) it is Infinity: each caller's range check words that refusal.
 */
export function readDecimal(text: string, syntax: DecimalSyntax): number | undefined {
  let pattern = patterns.get(syntax);
  if (!pattern) patterns.set(syntax, (pattern = patternOf(syntax)));
  return pattern.test(text) ? Number(text) : undefined;
}

/** Digits that a double holds exactly (1e20 would not be the number written); undefined otherwise. */
export function readSafeInteger(text: string): number | undefined {
  const n = readDecimal(text, WHOLE);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

export interface NumberSpec {
  /** Whole numbers only: digits, no sign, no fraction, no exponent. */
  integer: boolean;
  min: number;
  max: number;
}

export type NumberCheck = { ok: true; value: number } | { ok: false; problem: string };

/** A rate: mismatched / compared. */
export const RATE: NumberSpec = { integer: false, min: 0, max: 1 };
/** A count of at least one, up to the largest integer a double holds exactly. */
export const POSITIVE_COUNT: NumberSpec = { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER };
/** A count that may be zero (the gate's maxNewFields). */
export const COUNT: NumberSpec = { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };

export function describeSpec(spec: NumberSpec): string {
  const kind = spec.integer ? 'a whole number' : 'a number';
  if (spec.max >= Number.MAX_SAFE_INTEGER) return `${kind} of at least ${spec.min}`;
  return `${kind} from ${spec.min} to ${spec.max}`;
}

const shown = (raw: unknown) => (typeof raw === 'string' ? `'${raw}'` : typeof raw === 'number' ? String(raw) : (JSON.stringify(raw) ?? String(raw)));

/** Text as written in a query string, a flag or a webhook's metadata. */
export function parseNumberText(raw: string, spec: NumberSpec): NumberCheck {
  // Text that is no number, or none a double holds (1e309), is refused like an out-of-range one.
  return checkNumber(readDecimal(raw, spec.integer ? WHOLE : API_DECIMAL), spec, raw);
}

/** A number already parsed (a JSON body's): finite, whole if it must be, in range. */
export function checkNumber(value: unknown, spec: NumberSpec, raw: unknown = value): NumberCheck {
  const fits =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!spec.integer || Number.isSafeInteger(value)) &&
    value >= spec.min &&
    value <= spec.max;
  return fits ? { ok: true, value } : { ok: false, problem: `must be ${describeSpec(spec)}, got ${shown(raw)}` };
}
