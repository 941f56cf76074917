/** Turns one raw setting (a string from a flag or the environment, or a YAML scalar) into its typed value. */
import { parsePathPattern } from '../diff/json-path.js';
import type { OptionSpec } from './options.js';

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
      if (!/^\d+$/.test(value)) return { ok: false, error: `must be a whole number, got '${raw}'` };
      return bounded(Number(value), spec, '');
    }
    case 'percent': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) return { ok: false, error: `must be a number from ${spec.min} to ${spec.max}, got '${raw}'` };
      return bounded(n, spec, '');
    }
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
      if (!m) return { ok: false, error: `must be a duration such as 500ms, 5s, 2m, 7d (a bare number is milliseconds), got '${raw}'` };
      const ms = Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 'ms'] ?? 1));
      return bounded(ms, spec, ' ms');
    }
    case 'bytes': {
      const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(value);
      const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()];
      if (!m || unit === undefined) return { ok: false, error: `must be a size such as 65536, 64KiB or 1MiB, got '${raw}'` };
      return bounded(Number(m[1]) * unit, spec, ' bytes');
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
    case 'boolean': {
      const lower = value.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(lower)) return { ok: true, value: false };
      return { ok: false, error: `must be true or false, got '${raw}'` };
    }
    case 'string':
    case 'path': {
      if (spec.key === 'run' && !RUN_NAME.test(value)) {
        return { ok: false, error: `must be 1-100 letters, digits, '.', '_', ':' or '-', got '${raw}'` };
      }
      if (spec.key === 'queuePrefix' && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(value)) {
        return { ok: false, error: `must be 1-64 letters, digits, '.', '_', ':' or '-', got '${raw}'` };
      }
      if (spec.key === 'logLevel' && !LOG_LEVELS.includes(value)) {
        return { ok: false, error: `must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'` };
      }
      if (spec.kind === 'path' && value === '') return { ok: false, error: 'must not be empty' };
      if (spec.key === 'reportToken' && value.length < 16) return { ok: false, error: 'must be at least 16 characters' };
      return { ok: true, value };
    }
  }
}
