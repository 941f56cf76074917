/** Turns one raw setting (a string from a flag or the environment, or a YAML scalar) into its typed value. */
import { compileTrustProxy } from '../http/forwarding.js';
import { parsePathPattern } from '../compare/json-path.js';
import { parseOrigin } from '../http/origin.js';
import { MAX_TIMER_MS, type OptionSpec } from './options.js';

export interface HostPort {
  host: string;
  port: number;
}

export type ParsedValue = string | number | boolean | HostPort | readonly string[];

export type ParseResult = { ok: true; value: ParsedValue } | { ok: false; error: string };

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BYTE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
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
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return { ok: false, error: `must be a URL, got '${raw}'` };
      }
      const allowed = spec.kind === 'url' ? ['http:', 'https:'] : ['redis:', 'rediss:'];
      if (!allowed.includes(url.protocol)) return { ok: false, error: `must be a ${allowed.join(' or ')} URL, got '${raw}'` };
      return { ok: true, value: spec.kind === 'url' ? value.replace(/\/+$/, '') : value };
    }
    case 'hostPort': {
      const hp = parseHostPort(value);
      return hp ? { ok: true, value: hp } : { ok: false, error: `must be HOST:PORT (port 0-65535), got '${raw}'` };
    }
    case 'int': {
      // Digits only, and no more than a double holds exactly: 1e20 would not be the number written.
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return { ok: false, error: `must be a whole number, got '${raw}'` };
      return bounded(Number(value), spec, '');
    }
    case 'percent': {
      // Plain decimal text: Number() would read 0x10 as 16 and 1e309 as Infinity.
      if (!/^-?(?:\d+(?:\.\d+)?|\.\d+)$/.test(value)) return { ok: false, error: `must be a number from ${spec.min} to ${spec.max}, got '${raw}'` };
      return bounded(Number(value), spec, '');
    }
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
      if (!m) return { ok: false, error: `must be a duration such as 500ms, 5s, 2m, 7d (a bare number is milliseconds), got '${raw}'` };
      const ms = Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 'ms'] ?? 1));
      if (spec.max === undefined && ms > MAX_TIMER_MS) {
        return { ok: false, error: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days): a longer timer would fire at once, got '${raw}'` };
      }
      return bounded(ms, spec, ' ms');
    }
    case 'bytes': {
      const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(value);
      const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()];
      if (!m || unit === undefined) return { ok: false, error: `must be a size such as 65536, 64KiB or 1MiB, got '${raw}'` };
      return bounded(Number(m[1]) * unit, spec, ' bytes');
    }
    case 'rate': {
      // Decimal only: a rate is requests per second, and its interval must fit a timer.
      const n = /^\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i.test(value) ? Number(value) : Number.NaN;
      if (!Number.isFinite(n) || n <= 0) return { ok: false, error: `must be a positive number of requests per second, got '${raw}'` };
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
    case 'runName':
      return RUN_NAME.test(value) ? { ok: true, value } : { ok: false, error: `must be 1-100 letters, digits, '.', '_', ':' or '-', got '${raw}'` };
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
      if (spec.key === 'queuePrefix' && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(value)) {
        return { ok: false, error: `must be 1-64 letters, digits, '.', '_', ':' or '-', got '${raw}'` };
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
