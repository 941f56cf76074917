import { ExactNumber, numberOfLiteral } from './exact-number.js';
import { keySegment } from './json-path.js';

/**
 * A JSON parser for comparison: it accepts exactly what JSON.parse accepts and builds the same values,
 * except that
 * - a number a double cannot hold faithfully is an ExactNumber (see exact-number.ts), never rounded;
 * - keys that occur more than once in an object are reported, with how often they occur (the value is
 *   the last one, as with JSON.parse).
 *
 * Not lossless-json: it ignores a repeated key whose values are equal and throws on others, is
 * recursive (a deeply nested body overflows its stack, where JSON.parse does not) and is about four
 * times slower than JSON.parse. This one is iterative, leaves strings with escapes to JSON.parse, and
 * uses JSON.parse outright where that provably gives the same result (parseJson).
 */
export interface ParsedJson {
  value: unknown;
  /** Canonical path of each repeated key (`$.items[2].id`) → how many times it occurs there. */
  duplicates: Map<string, number>;
}

interface Frame {
  /** The object or array being built. */
  container: Record<string, unknown> | unknown[];
  /** The key whose value is being parsed (objects). */
  key: string;
  /** Occurrences of each repeated key of this object; created on the first repeat. */
  repeats: Map<string, number> | undefined;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private i = 0;
  readonly duplicates = new Map<string, number>();
  private readonly stack: Frame[] = [];

  constructor(private readonly text: string) {}

  parse(): unknown {
    const { stack } = this;
    for (;;) {
      let value = this.openOrValue();
      if (value === OPENED) continue;
      // A value is complete: hand it to its container, closing containers as they end.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) {
          this.skipWhitespace();
          if (this.i !== this.text.length) this.fail('unexpected text after the JSON value');
          return value;
        }
        this.skipWhitespace();
        const c = this.text.charCodeAt(this.i++);
        if (Array.isArray(top.container)) {
          top.container.push(value);
          if (c === 0x2c /* , */) break;
          if (c !== 0x5d /* ] */) this.fail("expected ',' or ']'");
        } else {
          this.set(top, value);
          if (c === 0x2c) {
            this.readKey(top);
            break;
          }
          if (c !== 0x7d /* } */) this.fail("expected ',' or '}'");
          if (top.repeats !== undefined) this.noteRepeats(top.repeats);
        }
        stack.pop();
        value = top.container;
      }
    }
  }

  /** A primitive value, or OPENED after pushing a non-empty container (an empty one is a value). */
  private openOrValue(): unknown {
    this.skipWhitespace();
    const { text } = this;
    const c = text.charCodeAt(this.i);
    if (c === 0x7b /* { */) {
      this.i++;
      this.skipWhitespace();
      const container: Record<string, unknown> = {};
      if (text.charCodeAt(this.i) === 0x7d) {
        this.i++;
        return container;
      }
      const frame: Frame = { container, key: '', repeats: undefined };
      this.stack.push(frame);
      this.readKey(frame, false);
      return OPENED;
    }
    if (c === 0x5b /* [ */) {
      this.i++;
      this.skipWhitespace();
      if (text.charCodeAt(this.i) === 0x5d) {
        this.i++;
        return [];
      }
      this.stack.push({ container: [], key: '', repeats: undefined });
      return OPENED;
    }
    if (c === 0x22 /* " */) return this.readString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.readNumber();
    if (text.startsWith('true', this.i)) return this.literal(4, true);
    if (text.startsWith('false', this.i)) return this.literal(5, false);
    if (text.startsWith('null', this.i)) return this.literal(4, null);
    return this.fail('expected a JSON value');
  }

  private literal<T>(length: number, value: T): T {
    this.i += length;
    return value;
  }

  /** After `{` or `,` in an object: the key, then `:`. */
  private readKey(frame: Frame, skip = true): void {
    if (skip) this.skipWhitespace();
    if (this.text.charCodeAt(this.i) !== 0x22) this.fail('expected a string key');
    frame.key = this.readString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.i++) !== 0x3a /* : */) this.fail("expected ':'");
  }

  private set(frame: Frame, value: unknown): void {
    const object = frame.container as Record<string, unknown>;
    const { key } = frame;
    // A JSON value is never undefined or a function: those are absent or inherited from Object.prototype,
    // as is `__proto__` until an own one is defined. Only then is hasOwnProperty needed.
    const existing = object[key];
    const inherited = typeof existing === 'function' || key === '__proto__';
    if (inherited ? Object.prototype.hasOwnProperty.call(object, key) : existing !== undefined) {
      frame.repeats ??= new Map();
      frame.repeats.set(key, (frame.repeats.get(key) ?? 1) + 1);
    }
    // As JSON.parse: an own data property, even for `__proto__`.
    if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    else object[key] = value;
  }

  /** Called when an object closes, while it is still on the stack: its path is known from its parents. */
  private noteRepeats(repeats: Map<string, number>): void {
    let path = '$';
    for (let depth = 0; depth < this.stack.length - 1; depth++) {
      const frame = this.stack[depth] as Frame;
      path += Array.isArray(frame.container) ? `[${frame.container.length}]` : keySegment(frame.key);
    }
    for (const [key, count] of repeats) this.duplicates.set(path + keySegment(key), count);
  }

  private readString(): string {
    const { text } = this;
    const start = this.i + 1;
    let end = start;
    let c = text.charCodeAt(end);
    while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = text.charCodeAt(++end);
    if (c === 0x22) {
      this.i = end + 1;
      return text.slice(start, end);
    }
    // Escapes (or a bad character): find the end, and let JSON.parse decode and check the escapes.
    while (c !== 0x22) {
      if (c === 0x5c) end++; // the escaped character cannot end the string
      else if (!(c >= 0x20)) this.fail('unterminated string or control character in a string'); // NaN past the end
      c = text.charCodeAt(++end);
    }
    this.i = end + 1;
    return JSON.parse(text.slice(start - 1, end + 1)) as string;
  }

  private readNumber(): number | ExactNumber {
    // Fast path: a small non-negative integer, computed as it is read.
    const { text } = this;
    let j = this.i;
    let c = text.charCodeAt(j);
    if (c >= 0x31 && c <= 0x39) {
      let value = 0;
      while (c >= 0x30 && c <= 0x39 && j - this.i < 15) {
        value = value * 10 + (c - 0x30);
        c = text.charCodeAt(++j);
      }
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45)) {
        this.i = j;
        return value;
      }
    }
    NUMBER.lastIndex = this.i;
    if (!NUMBER.test(this.text)) this.fail('invalid number');
    const literal = this.text.slice(this.i, NUMBER.lastIndex);
    this.i = NUMBER.lastIndex;
    return numberOfLiteral(literal);
  }

  private skipWhitespace(): void {
    const { text } = this;
    let c = text.charCodeAt(this.i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.i);
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${Math.min(this.i, this.text.length)}`);
  }
}

const OPENED: unique symbol = Symbol('opened');

/** The characters a JSON number literal is made of. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;
}

const NUMBER_LITERAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * Whether every number literal of the text that could be an ExactNumber (more than 15 characters, or
 * an exponent: see numberOfLiteral) is a double held faithfully (most serializers write a double's
 * shortest form, `348.95000000000005`), so JSON.parse's numbers are exact. A literal outside a string
 * is always a whole run of number characters (what may precede or follow one is not such a character),
 * so runs that are not literals lie inside strings and are passed over; a literal-like run inside a
 * string only costs the check. A loop: a regex backtracks on every digit.
 */
function numbersAreDoubles(text: string): boolean {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    if (!isNumberChar(text.charCodeAt(i))) continue;
    let end = i + 1;
    let exponent = false;
    for (let c = text.charCodeAt(end); isNumberChar(c); c = text.charCodeAt(++end)) if (c === 0x65 || c === 0x45) exponent = true;
    if (end - i > 15 || exponent) {
      const run = text.slice(i, end);
      if (NUMBER_LITERAL.test(run) && typeof numberOfLiteral(run) !== 'number') return false;
    }
    i = end;
  }
  return true;
}

/**
 * Parse a JSON text (see ParsedJson). Throws SyntaxError where JSON.parse would.
 *
 * Fast path, JSON.parse itself, when it provably gives the same: every number is a faithful double
 * (numbersAreDoubles), and the text has no more colons than the parsed document has keys (each key has
 * its colon, so no key repeats). Otherwise (colons in strings, exact numbers) the parser above, some
 * 2–4 times slower.
 */
export function parseJson(text: string): ParsedJson {
  if (numbersAreDoubles(text)) {
    const value = JSON.parse(text) as unknown;
    const colons = countColons(text);
    if (colons === 0 || colons === countKeys(value)) return { value, duplicates: new Map() };
  }
  const parser = new Parser(text);
  return { value: parser.parse(), duplicates: parser.duplicates };
}

function countColons(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) count++;
  return count;
}

/** Own keys of all the objects of a parsed document; iterative. */
function countKeys(root: unknown): number {
  let keys = 0;
  const pending: unknown[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    for (const key in node) {
      keys++;
      const item = (node as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
  }
  return keys;
}
