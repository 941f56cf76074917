/**
 * JSON numbers by their exact decimal value.
 *
 * A JSON number literal whose value a double holds faithfully — the literal and the double's shortest
 * form denote the same decimal value (`1.0`, `1e2`, `0.1`, `-0`) — is parsed to that double, as
 * JSON.parse does. Any other literal (`9007199254740993`, `1e400`, `0.10000000000000000001`) becomes an
 * ExactNumber, which keeps its literal text and a canonical form of its value. Two literals of the same
 * value are then always the same double or two ExactNumbers of the same canonical form, and an
 * ExactNumber never equals a double (equal values would make both faithful doubles).
 */

/** Exponents (of ten) of at most this many digits are computed with as numbers, longer ones as BigInt. */
const MAX_EXPONENT_DIGITS = 15;
/** Exponents longer than this are not even parsed: such a literal's canonical form is its text. */
const MAX_BIG_EXPONENT_DIGITS = 1000;

export class ExactNumber {
  /** The value as `[-]DIGITSeEXPONENT`, DIGITS without leading or trailing zeros: equal for equal values. */
  readonly canonical: string;
  /** Significant digits (no leading or trailing zeros) and the power of ten they are scaled by. */
  readonly negative: boolean;
  readonly digits: string;
  /** Undefined when the exponent is beyond a safe integer (tolerance then never applies). */
  readonly exponent: number | undefined;

  constructor(readonly literal: string) {
    const parts = decimalParts(literal);
    this.negative = parts.negative;
    this.digits = parts.digits;
    this.exponent = parts.exponent;
    this.canonical = parts.canonical;
  }

  /** Serialized as its literal text (a JSON string): never rounded, wherever it is written. */
  toJSON(): string {
    return this.literal;
  }
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}

/** A JSON number: a double, or an ExactNumber. */
export function isJsonNumber(value: unknown): value is number | ExactNumber {
  return typeof value === 'number' || value instanceof ExactNumber;
}

/**
 * The value of a JSON number literal (already known to be valid JSON): its double when the double
 * holds it faithfully, else an ExactNumber. Short plain literals (at most 15 digits, no exponent) are
 * always faithful (a double holds any 15 significant digits), and so is the shortest form of a double
 * (what JSON.stringify writes), so most numbers skip the exact check.
 */
export function numberOfLiteral(literal: string): number | ExactNumber {
  const double = Number(literal);
  if (literal.length <= 15 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0) return double;
  if (!Number.isFinite(double)) return new ExactNumber(literal);
  // Most serializers write a double's shortest form: then it is faithful without further ado.
  const shortest = String(double);
  if (literal === shortest || decimalParts(literal).canonical === decimalParts(shortest).canonical) return double;
  return new ExactNumber(literal);
}

interface DecimalParts {
  negative: boolean;
  digits: string;
  exponent: number | undefined;
  canonical: string;
}

/** Sign, significant digits and exponent of a number literal (JSON's, or String(double)'s `1e+21`). */
function decimalParts(literal: string): DecimalParts {
  const negative = literal.startsWith('-');
  const body = negative ? literal.slice(1) : literal;
  const e = body.search(/[eE]/);
  const mantissa = e < 0 ? body : body.slice(0, e);
  const exponentText = e < 0 ? '0' : body.slice(e + 1);
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
  let digits = (dot < 0 ? mantissa : mantissa.slice(0, dot)) + fraction;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) end--;
  const trailingZeros = digits.length - end;
  digits = digits.slice(start, end);
  if (digits === '') return { negative: false, digits: '0', exponent: 0, canonical: '0' };
  const sign = negative ? '-' : '';

  const exponentDigits = exponentText.replace(/^[+-]/, '').replace(/^0+(?=.)/, '');
  const exponentSign = exponentText.startsWith('-') ? '-' : '';
  if (exponentDigits.length <= MAX_EXPONENT_DIGITS) {
    const exponent = Number(exponentSign + exponentDigits) - fraction.length + trailingZeros;
    return { negative, digits, exponent, canonical: `${sign}${digits}e${exponent}` };
  }
  // An exponent no double or safe integer holds: exact with BigInt, up to a (generous) length.
  if (exponentDigits.length > MAX_BIG_EXPONENT_DIGITS) return { negative, digits, exponent: undefined, canonical: `literal ${literal}` };
  const exponent = BigInt(exponentSign + exponentDigits) - BigInt(fraction.length) + BigInt(trailingZeros);
  return { negative, digits, exponent: undefined, canonical: `${sign}${digits}e${exponent}` };
}

/** A decimal m × 10^e with m a BigInt. */
interface Decimal {
  m: bigint;
  e: number;
}

/** Past this many digits of alignment, tolerance arithmetic is refused (the numbers are too far apart). */
const MAX_ALIGN_DIGITS = 10_000;

function decimalOf(value: number | ExactNumber): Decimal | undefined {
  const parts = typeof value === 'number' ? (Number.isFinite(value) ? decimalParts(String(value)) : undefined) : value;
  if (parts?.exponent === undefined || parts.digits.length > MAX_ALIGN_DIGITS) return undefined;
  const m = BigInt(parts.digits);
  return { m: parts.negative ? -m : m, e: parts.exponent };
}

/** Both scaled to the smaller exponent; undefined when that takes more than MAX_ALIGN_DIGITS digits. */
function align(a: Decimal, b: Decimal): [bigint, bigint] | undefined {
  const e = Math.min(a.e, b.e);
  if (a.e - e > MAX_ALIGN_DIGITS || b.e - e > MAX_ALIGN_DIGITS) return undefined;
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e)];
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** x <= y, or undefined when the two cannot be aligned. */
function atMost(x: Decimal, y: Decimal): boolean | undefined {
  const aligned = align(x, y);
  return aligned === undefined ? undefined : aligned[0] <= aligned[1];
}

/**
 * The tolerance test of two numbers at least one of which is an ExactNumber, computed exactly in decimal:
 * |a − b| <= absolute, or |a − b| <= relative × max(|a|, |b|). The bounds are taken as the decimals they
 * are written as (0.1 is one tenth). Numbers whose exponents cannot be computed with, or that are more
 * than MAX_ALIGN_DIGITS orders of magnitude apart from each other or from the bounds, are never within.
 */
export function exactlyWithinTolerance(
  a: number | ExactNumber,
  b: number | ExactNumber,
  rule: { absolute?: number | undefined; relative?: number | undefined },
): boolean {
  const x = decimalOf(a);
  const y = decimalOf(b);
  if (x === undefined || y === undefined) return false;
  const aligned = align(x, y);
  if (aligned === undefined) return false;
  const e = Math.min(x.e, y.e);
  const delta: Decimal = { m: abs(aligned[0] - aligned[1]), e };
  const scale: Decimal = abs(aligned[0]) >= abs(aligned[1]) ? { m: abs(aligned[0]), e } : { m: abs(aligned[1]), e };
  if (rule.absolute !== undefined) {
    const bound = decimalOf(rule.absolute);
    if (bound !== undefined && atMost(delta, bound) === true) return true;
  }
  if (rule.relative !== undefined) {
    const relative = decimalOf(rule.relative);
    if (relative !== undefined && atMost(delta, { m: relative.m * scale.m, e: relative.e + scale.e }) === true) return true;
  }
  return false;
}

/**
 * A value fit to be stored and shown: every ExactNumber inside replaced by its literal text (a JSON
 * string, since Node 20 cannot write a raw number into JSON). Doubles stay numbers. Copies only the
 * containers on the way to an ExactNumber; iterative, so deep values do not overflow the stack.
 */
export function plainJson(root: unknown): unknown {
  if (root instanceof ExactNumber) return root.literal;
  if (typeof root !== 'object' || root === null || !containsExactNumber(root)) return root;
  const copy = (value: object): Record<string, unknown> | unknown[] => (Array.isArray(value) ? [...(value as unknown[])] : { ...value });
  const result = copy(root);
  const pending: Array<Record<string, unknown> | unknown[]> = [result];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const target = node as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      const child = target[key];
      if (child instanceof ExactNumber) target[key] = child.literal;
      else if (typeof child === 'object' && child !== null && containsExactNumber(child)) {
        const childCopy = copy(child);
        target[key] = childCopy;
        pending.push(childCopy);
      }
    }
  }
  return result;
}

/** Whether an ExactNumber lies anywhere inside a container (memoized per container while copying). */
const containing = new WeakMap<object, boolean>();
function containsExactNumber(root: object): boolean {
  const known = containing.get(root);
  if (known !== undefined) return known;
  // Post-order over the containers below root, iteratively.
  const stack: Array<[object, boolean]> = [[root, false]];
  while (stack.length > 0) {
    const [node, expanded] = stack.pop() as [object, boolean];
    if (containing.has(node)) continue;
    const children = Object.values(node).filter((child): child is object => typeof child === 'object' && child !== null);
    if (!expanded) {
      stack.push([node, true]);
      for (const child of children) if (!(child instanceof ExactNumber) && !containing.has(child)) stack.push([child, false]);
      continue;
    }
    containing.set(node, children.some((child) => child instanceof ExactNumber || containing.get(child) === true));
  }
  return containing.get(root) === true;
}

/**
 * JSON text with every ExactNumber written as its raw literal, so a body that is parsed, changed and
 * written again (redaction) keeps its numbers. The marker carries a random nonce, so no string in
 * the document can be mistaken for one.
 */
export function stringifyExact(value: unknown): string {
  const nonce = Math.random().toString(36).slice(2);
  // toJSON runs before a replacer sees the value: look at the holder's own property instead.
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const own = this[key];
    return own instanceof ExactNumber ? `\u0000${nonce}:${own.literal}` : v;
  });
  if (!text.includes(nonce)) return text;
  return text.replace(new RegExp(`"\\\\u0000${nonce}:([^"]*)"`, 'g'), '$1');
}
