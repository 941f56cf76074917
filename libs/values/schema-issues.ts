/**
 * zod issues as the config file's error lines: `<where><path>: <message>`, every problem at once,
 * in the order a reader meets them (a mapping's unknown keys before its members' problems).
 * Schemas word their own messages (see `mapping`, `atParent`); this only places and orders them.
 */
import { z } from 'zod';

type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as the messages name it: `a list`, `the string "x"`, `number 42`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** Separates the per-key lines of one unrecognized_keys issue. */
const EACH_KEY = '\u0000';
/** Marks a message that belongs to the mapping holding the member (`needs a path`, not `.path: …`). */
const AT_PARENT = '\u0001';

/** The message of a member that is missing, reported where the member should be. */
export const atParent = (message: string): string => `${AT_PARENT}${message}`;

export interface MappingWords {
  /** The mapping is something else: `must be a mapping with …`. */
  notMapping: (input: unknown) => string;
  /** One line per unknown key. */
  unknownKey: (key: string) => string;
}

/** A strict mapping: members checked by `shape`, any other key an error worded by `words`. */
export function mapping<S extends z.core.$ZodLooseShape>(shape: S, words: MappingWords) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? iss.keys.map(words.unknownKey).join(EACH_KEY) : words.notMapping(iss.input)),
  });
}

const placeOf = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');

/** Unknown keys first within their mapping: zod reports them after the members. */
function readingOrder(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const ordered = [...issues];
  for (const issue of issues.filter((i) => i.code === 'unrecognized_keys')) {
    const within = (i: z.core.$ZodIssue) => issue.path.every((p, n) => i.path[n] === p);
    const first = ordered.findIndex(within); // at most the issue's own place
    ordered.splice(ordered.indexOf(issue), 1);
    ordered.splice(first, 0, issue);
  }
  return ordered;
}

export function issueLines(issues: readonly z.core.$ZodIssue[], where: string): string[] {
  return readingOrder(issues).flatMap((issue) => {
    const parent = issue.message.startsWith(AT_PARENT);
    const path = parent ? issue.path.slice(0, -1) : issue.path;
    const message = parent ? issue.message.slice(AT_PARENT.length) : issue.message;
    return message.split(EACH_KEY).map((line) => `${where}${placeOf(path)}: ${line}`);
  });
}

/**
 * The input without what the issues point at, so a second parse keeps the valid parts: a list's
 * item goes whole when anything in it is wrong, a member whose value is wrong goes, unknown keys go.
 */
export function withoutInvalid(input: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(input);
  const drop = (path: readonly PropertyKey[]): void => {
    const item = path.findIndex((p) => typeof p === 'number');
    const at = item === -1 ? path : path.slice(0, item + 1);
    if (at.length === 0) return;
    const holder = at.slice(0, -1).reduce<unknown>((v, p) => (v as Mapping | undefined)?.[p as string], copy);
    const last = at[at.length - 1] as string | number;
    if (Array.isArray(holder)) holder[last as number] = DROPPED;
    else if (isMapping(holder)) delete holder[last];
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && !issue.path.some((p) => typeof p === 'number')) {
      for (const key of issue.keys) drop([...issue.path, key]);
    } else drop(issue.path);
  }
  return compact(copy);
}

const DROPPED = Symbol('dropped');

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== DROPPED).map(compact);
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}
