/** Turns one raw setting (a string from a flag or the environment, or a YAML scalar) into its typed value. */
import { compileTrustProxy } from '../http/forwarding.js';
import { parsePathPattern } from '../compare/json-path.js';
import { parseOrigin } from '../http/origin.js';
import { BYTE_SIZE_FORMS, readByteSize } from '../values/byte-sizes.js';
import { readUnitDuration, UNIT_DURATION_FORMS } from '../values/durations.js';
import { PLAIN_DECIMAL, RATE_DECIMAL, readDecimal, readSafeInteger } from '../values/numbers.js';
import { checkRunName } from '../values/run-name.js';
import { checkUrl, HTTP_SCHEMES } from '../values/url.js';
import { MAX_TIMER_MS, type OptionSpec } from './options.js';

export interface HostPort {
  host: string;
  port: number;
}

export type ParsedValue = string | number | boolean | HostPort | readonly string[];

export type ParseResult = { ok: true; value: ParsedValue } | { ok: false; error: string };

const REDIS_SCHEMES = ['redis:', 'rediss:'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HTTP_TOKEN = /^[A-Z][A-Z0-9-]*$/;

function bounded(n: number, spec: OptionSpec, what: string): ParseResult {
  if (spec.min !== undefined && n < spec.min) return { ok: false, error: `must be at least ${spec.min}${what}` };
  if (spec.max !== undefined && n > spec.max) return { ok: false, error: `must be at most ${spec.max}${what}` };
  return { ok: true, value: n };
}

export function parseHostPort(raw: string): HostPort | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw) ?? /^()()(\d{1,5})$/.exec(raw);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** A URL without its password, for error messages. */
const redacted = (value: string) => value.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');

export function parseValue(spec: OptionSpec, raw: string): ParseResult {
  const value = raw.trim();
  switch (spec.kind) {
    case 'url':
    case 'redisUrl': {
      const url = checkUrl(value, { schemes: spec.kind === 'url' ? HTTP_SCHEMES : REDIS_SCHEMES }, raw);
      if (!url.ok) return { ok: false, error: url.problem };
      return { ok: true, value: spec.kind === 'url' ? value.replace(/\/+$/, '') : value };
    }
    case 'hostPort': {
      const hp = parseHostPort(value);
      return hp ? { ok: true, value: hp } : { ok: false, error: `must be HOST:PORT (port 0-65535), got '${raw}'` };
    }
    case 'int': {
      const n = readSafeInteger(value);
      return n === undefined ? { ok: false, error: `must be a whole number, got '${raw}'` } : bounded(n, spec, '');
    }
    case 'percent': {
      const n = readDecimal(value, PLAIN_DECIMAL);
      return n === undefined ? { ok: false, error: `must be a number from ${spec.min} to ${spec.max}, got '${raw}'` } : bounded(n, spec, '');
    }
    case 'duration': {
      const ms = readUnitDuration(value);
      if (ms === undefined) return { ok: false, error: `must be ${UNIT_DURATION_FORMS}, got '${raw}'` };
      if (spec.max === undefined && ms > MAX_TIMER_MS) {
        return { ok: false, error: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days): a longer timer would fire at once, got '${raw}'` };
      }
      return bounded(ms, spec, ' ms');
    }
    case 'bytes': {
      const bytes = readByteSize(value);
      return bytes === undefined ? { ok: false, error: `must be ${BYTE_SIZE_FORMS}, got '${raw}'` } : bounded(bytes, spec, ' bytes');
    }
    case 'rate': {
      // A rate is requests per second, and its interval must fit a timer.
      const n = readDecimal(value, RATE_DECIMAL);
      if (n === undefined || !Number.isFinite(n) || n <= 0) return { ok: false, error: `must be a positive number of requests per second, got '${raw}'` };
      if (spec.min !== undefined && n < spec.min) {
        return { ok: false, error: `must be at least ${spec.min} requests per second: one request every ${MAX_TIMER_MS} ms (about 24.8 days) at most, got '${raw}'` };
      }
      return bounded(n, spec, ' requests per second');
    }
    case 'baseline': {
      if (value === 'recorded') return { ok: true, value };
      const url = parseValue({ ...spec, kind: 'url' }, value);
      return url.ok ? url : { ok: false, error: `must be 'recorded' or an http(s) URL, got '${raw}'` };
    }
    case 'boolean': {
      const v = value.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(v)) return { ok: true, value: false };
      return { ok: false, error: `must be true or false, got '${raw}'` };
    }
    case 'runName': {
      const name = checkRunName(value, undefined, raw);
      return name.ok ? name : { ok: false, error: name.problem };
    }
    case 'methods': {
      const methods = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      const bad = methods.filter((m) => !HTTP_TOKEN.test(m));
      if (bad.length > 0) return { ok: false, error: `must be comma-separated HTTP methods, got '${bad.join(',')}'` };
      return { ok: true, value: [...new Set(methods)] };
    }
    case 'list': {
      const items = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (spec.key === 'redactJsonPaths') {
        for (const item of items) {
          try {
            parsePathPattern(item);
          } catch (error) {
            return { ok: false, error: `'${item}' is not a JSON path: ${(error as Error).message}` };
          }
        }
      }
      if (spec.key === 'redactHeaders' || spec.key === 'ignoreHeaders') {
        const bad = items.filter((h) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h));
        if (bad.length > 0) return { ok: false, error: `must be header names, got '${bad.join(',')}'` };
        return { ok: true, value: items.map((h) => h.toLowerCase()) };
      }
      return { ok: true, value: items };
    }
    case 'origins': {
      const origins: string[] = [];
      for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        const r = parseOrigin(item);
        if (!r.ok) return { ok: false, error: `'${item}' ${r.problem}` };
        origins.push(r.origin);
      }
      return { ok: true, value: [...new Set(origins)] };
    }
    case 'choice': {
      const choices = spec.choices ?? [];
      return choices.includes(value) ? { ok: true, value } : { ok: false, error: `must be one of ${choices.join(', ')}, got '${raw}'` };
    }
    case 'store': {
      if (value === '') return { ok: false, error: 'must not be empty' };
      if (!/^postgres(ql)?:/i.test(value)) return { ok: true, value };
      try {
        const url = new URL(value);
        if (!url.hostname || url.pathname.length < 2) return { ok: false, error: `must name a host and a database (postgres://user@host:port/db), got '${redacted(value)}'` };
      } catch {
        return { ok: false, error: `must be a SQLite file or a postgres:// URL, got '${redacted(value)}'` };
      }
      return { ok: true, value };
    }
    case 'string':
    case 'path': {
      if (spec.key === 'queuePrefix') {
        const prefix = checkRunName(value, 64, raw);
        if (!prefix.ok) return { ok: false, error: prefix.problem };
      }
      if (spec.key === 'logLevel' && !LOG_LEVELS.includes(value)) {
        return { ok: false, error: `must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'` };
      }
      if (spec.kind === 'path' && value === '') return { ok: false, error: 'must not be empty' };
      if (spec.key === 'trustProxy') {
        try {
          compileTrustProxy(value);
        } catch (error) {
          return { ok: false, error: `must be a hop count or addresses and CIDRs, got '${raw}': ${(error as Error).message}` };
        }
      }
      if (spec.key === 'reportToken' && value.length < 16) return { ok: false, error: 'must be at least 16 characters' };
      return { ok: true, value };
    }
  }
}
