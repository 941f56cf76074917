/**
 * Strict number parsing for every numeric input of the report API and the CLI. `Number()` and Ajv's
 * coercion read ' ' as 0, '0x10' as 16 and '1e309' as Infinity; a threshold read that way can make
 * a failing candidate pass. Here a number is plain decimal text (or a JSON number), finite and in
 * range, or it is refused with a sentence that can follow the parameter's name.
 */

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

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const WHOLE = /^\d+$/;

export function describeSpec(spec: NumberSpec): string {
  const kind = spec.integer ? 'a whole number' : 'a number';
  if (spec.max >= Number.MAX_SAFE_INTEGER) return `${kind} of at least ${spec.min}`;
  return `${kind} from ${spec.min} to ${spec.max}`;
}

const shown = (raw: unknown) => (typeof raw === 'string' ? `'${raw}'` : typeof raw === 'number' ? String(raw) : (JSON.stringify(raw) ?? String(raw)));

/** Text as written in a query string, a flag or a webhook's metadata. */
export function parseNumberText(raw: string, spec: NumberSpec): NumberCheck {
  if (!(spec.integer ? WHOLE : DECIMAL).test(raw)) return { ok: false, problem: `must be ${describeSpec(spec)}, got ${shown(raw)}` };
  return checkNumber(Number(raw), spec, raw);
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
