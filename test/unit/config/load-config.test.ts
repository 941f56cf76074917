import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../libs/config/load-config.js';
import { COMMANDS, flagOf } from '../../../libs/config/commands.js';
import { defaultValue } from '../../../libs/config/load-config.js';
import { OPTIONS } from '../../../libs/config/options.js';
import { optionsTable } from '../../../libs/config/options-table.js';
import { ShadowDiffError } from '../../../libs/errors.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-config-')), 'shadow-diff.yaml');
  writeFileSync(file, text);
  return file;
}

function errorsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShadowDiffError) return error.details;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('takes --host-echo as normalize or off only, from any source', () => {
    expect(loadConfig({ env: {} }).hostEcho).toBe('normalize');
    expect(loadConfig({ env: { SHADOW_DIFF_HOST_ECHO: 'off' } }).hostEcho).toBe('off');
    expect(loadConfig({ env: {}, configFile: yamlFile('hostEcho: off\n') }).hostEcho).toBe('off');
    expect(errorsOf(() => loadConfig({ flags: { hostEcho: 'sometimes' }, env: {} }))).toEqual(["--host-echo: must be one of normalize, off, got 'sometimes'"]);
  });

  it('takes --ingress-workers for ingress, 1 by default, and refuses more than 1 for start, whose queue lives in one process', () => {
    expect(loadConfig({ command: 'ingress', required: [], env: {} }).ingressWorkers).toBe(1);
    expect(loadConfig({ command: 'ingress', required: [], flags: { ingressWorkers: '4' }, env: {} }).ingressWorkers).toBe(4);
    expect(errorsOf(() => loadConfig({ command: 'ingress', required: [], flags: { ingressWorkers: '0' }, env: {} }))).toHaveLength(1);
    expect(loadConfig({ command: 'start', required: [], flags: { ingressWorkers: '1' }, env: {} }).ingressWorkers).toBe(1);
    const [error] = errorsOf(() => loadConfig({ command: 'start', required: [], env: { SHADOW_DIFF_INGRESS_WORKERS: '2' } }));
    expect(error).toMatch(/^--ingress-workers 2: start runs in one process/);
    expect(error).toContain('shadow-diff ingress --ingress-workers N --redis');
  });

  it('takes --mode as inline or mirror-target, inline by default, for start and ingress only', () => {
    expect(loadConfig({ env: {} }).mode).toBe('inline');
    expect(loadConfig({ env: { SHADOW_DIFF_MODE: 'mirror-target' } }).mode).toBe('mirror-target');
    expect(loadConfig({ env: {}, configFile: yamlFile('mode: mirror-target\nstripHostSuffix: -mirror\n') })).toMatchObject({ mode: 'mirror-target', stripHostSuffix: '-mirror' });
    expect(loadConfig({ env: { SHADOW_DIFF_STRIP_HOST_SUFFIX: '-canary' } }).stripHostSuffix).toBe('-canary');
    expect(errorsOf(() => loadConfig({ flags: { mode: 'mirror' }, env: {} }))).toEqual(["--mode: must be one of inline, mirror-target, got 'mirror'"]);
    expect(COMMANDS.filter((c) => c.options.includes('mode')).map((c) => c.name)).toEqual(['start', 'ingress']);
    expect(COMMANDS.filter((c) => c.options.includes('stripHostSuffix')).map((c) => c.name)).toEqual(['start', 'ingress']);
  });

  it('has documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({
      listen: { host: '127.0.0.1', port: 8080 },
      reportListen: { host: '127.0.0.1', port: 8081 },
      db: './shadow-diff.db',
      run: 'live',
      mirrorPercent: 100,
      mirrorMethods: ['GET', 'HEAD', 'OPTIONS'],
      shadowHostSuffix: '-shadow',
      shadowTimeoutMs: 5000,
      captureMaxBytes: 1024 * 1024,
      redis: undefined,
    });
  });

  it('takes flags over the environment over the config file', () => {
    const file = yamlFile('primary: http://from-file:1\nshadow: http://from-file:2\nmirrorPercent: 10\nmirrorMethods: [GET, POST]\nrun: file-run\n');
    const c = loadConfig({
      configFile: file,
      env: { SHADOW_DIFF_SHADOW: 'http://from-env:2', SHADOW_DIFF_MIRROR_PERCENT: '20', REDIS_URL: 'redis://r:6379' },
      flags: { mirrorPercent: '30' },
    });
    expect(c.primary).toBe('http://from-file:1');
    expect(c.shadow).toBe('http://from-env:2');
    expect(c.mirrorPercent).toBe(30);
    expect(c.mirrorMethods).toEqual(['GET', 'POST']);
    expect(c.run).toBe('file-run');
    expect(c.redis).toBe('redis://r:6379');
  });

  it('reads the config file named by SHADOW_DIFF_CONFIG', () => {
    const file = yamlFile('shadowTimeout: 1\n'.replace('shadowTimeout', 'shadowTimeoutMs'));
    expect(loadConfig({ env: { SHADOW_DIFF_CONFIG: file } }).shadowTimeoutMs).toBe(1);
  });

  it('parses durations, sizes, methods and addresses', () => {
    const c = loadConfig({
      env: {},
      flags: { shadowTimeoutMs: '1.5s', captureMaxBytes: '64KiB', mirrorMethods: 'get, post,GET', listen: '[::1]:9000', reportListen: ':9001' },
    });
    expect(c.shadowTimeoutMs).toBe(1500);
    expect(c.captureMaxBytes).toBe(65536);
    expect(c.mirrorMethods).toEqual(['GET', 'POST']);
    expect(c.listen).toEqual({ host: '::1', port: 9000 });
    expect(c.reportListen).toEqual({ host: '127.0.0.1', port: 9001 });
  });

  it('takes --db as a SQLite file or a postgres:// URL, never echoing a password', () => {
    expect(loadConfig({ env: {}, flags: { db: './x.db' } }).db).toBe('./x.db');
    expect(loadConfig({ env: { SHADOW_DIFF_DB: 'postgres://sd@db.internal:5432/shadow' } }).db).toBe('postgres://sd@db.internal:5432/shadow');
    expect(loadConfig({ env: {}, flags: { db: 'postgresql://sd@db:5432/shadow' } }).db).toBe('postgresql://sd@db:5432/shadow');
    expect(() => loadConfig({ env: {}, flags: { db: 'postgres://sd:hunter2@db:5432' } })).toThrow(/--db: must name a host and a database/);
    expect(() => loadConfig({ env: {}, flags: { db: 'postgres://sd:hunter2@db:5432' } })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ env: {}, flags: { db: '' } })).toThrow(/must not be empty/);
    expect(loadConfig({ env: { SHADOW_DIFF_ROLLUP_RETENTION: '90d' } }).rollupRetention).toBe(90 * 86_400_000);
  });

  it('reads --replay-allow as exact origins (none by default) and bounds --max-replays', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ replayAllow: [], maxReplays: 2 });
    const c = loadConfig({ env: { SHADOW_DIFF_REPLAY_ALLOW: 'HTTP://Candidate.Example:80/, https://[::1]:8443,http://0x7f.1:9000' }, flags: { maxReplays: '5' } });
    // Normalized as the replay client connects: lower-case host, default port dropped, IPv4 in dotted decimal.
    expect(c.replayAllow).toEqual(['http://candidate.example', 'https://[::1]:8443', 'http://127.0.0.1:9000']);
    expect(c.maxReplays).toBe(5);
    for (const bad of ['http://a.example/base', 'http://user:pw@a.example', 'ftp://a.example', 'a.example:80', 'http://a.example?x=1', 'http://a.example/#f']) {
      expect(errorsOf(() => loadConfig({ env: {}, flags: { replayAllow: bad } }))[0], bad).toMatch(/^--replay-allow: '/);
    }
    expect(errorsOf(() => loadConfig({ env: {}, flags: { maxReplays: '0' } }))[0]).toMatch(/^--max-replays: must be at least 1/);
  });

  it('reports every error together, naming where each value came from', () => {
    const file = yamlFile('typo: 1\nshadowMaxInFlight: 0\n');
    const errors = errorsOf(() =>
      loadConfig({
        configFile: file,
        env: { SHADOW_DIFF_MIRROR_PERCENT: '-1' },
        flags: { primary: 'ftp://x', captureMaxBytes: '1 parsec', run: 'bad run' },
        required: ['primary', 'shadow'],
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("unknown setting 'typo'"),
        expect.stringMatching(/^config key 'shadowMaxInFlight': must be at least 1/),
        expect.stringMatching(/^env SHADOW_DIFF_MIRROR_PERCENT: must be at least 0/),
        expect.stringMatching(/^--primary: must be a http: or https: URL/),
        expect.stringMatching(/^--capture-max-bytes: must be a size/),
        expect.stringMatching(/^--run: must be/),
        expect.stringMatching(/^--shadow .* is required/),
      ]),
    );
    expect(errors).toHaveLength(7);
  });

  it('reports an unreadable or invalid config file clearly', () => {
    expect(() => loadConfig({ configFile: '/no/such/file.yaml', env: {} })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ configFile: yamlFile('a: [unclosed'), env: {} })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ configFile: yamlFile('- a list'), env: {} })).toThrow(/must be a YAML mapping/);
  });

  it('freezes the result', () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.mirrorMethods)).toBe(true);
    expect(() => ((c as { run: string }).run = 'x')).toThrow();
  });

  it('gives every option a flag, an environment variable and a description', () => {
    for (const o of OPTIONS) {
      expect(o.flag).toMatch(/^--[a-z][a-z-]+$/);
      expect(o.env[0]).toMatch(/^SHADOW_DIFF_[A-Z_]+$/);
      expect(o.description.length).toBeGreaterThan(10);
    }
    for (const command of COMMANDS) {
      const flags = command.options.map((key) => flagOf(command, key));
      expect(new Set(flags).size, command.name).toBe(flags.length);
    }
  });
});

describe('one configuration path for every command', () => {
  it('treats an empty environment variable as unset, for replay as for start', () => {
    for (const command of ['start', 'replay'] as const) {
      const c = loadConfig({ required: [], command, env: { REDIS_URL: '', SHADOW_DIFF_REDIS: '', SHADOW_DIFF_QUEUE_PREFIX: '' } });
      expect(c.redis, command).toBeUndefined();
      expect(c.queuePrefix, command).toBe(OPTIONS.find((o) => o.key === 'queuePrefix')?.default);
    }
  });

  it('applies SHADOW_DIFF_* variables to replay, flags first', () => {
    const c = loadConfig({
      command: 'replay',
      env: { SHADOW_DIFF_REPLAY_CONCURRENCY: '3', SHADOW_DIFF_REPLAY_TIMEOUT: '2s', SHADOW_DIFF_REPLAY_RATE: '0.5', SHADOW_DIFF_CANDIDATE: 'http://c:1/', SHADOW_DIFF_QUEUE_PREFIX: 'env-prefix', SHADOW_DIFF_CAPTURE_MAX_BYTES: '2KiB' },
      flags: { replayConcurrency: '5' },
    });
    expect(c).toMatchObject({ replayConcurrency: 5, replayTimeoutMs: 2000, replayRate: 0.5, candidate: 'http://c:1', queuePrefix: 'env-prefix', captureMaxBytes: 2048 });
  });

  it('reads command-only settings only for their command', () => {
    expect(loadConfig({ required: [], command: 'start', env: { SHADOW_DIFF_REPLAY_RATE: 'fast' } }).replayRate).toBeUndefined();
    expect(() => loadConfig({ required: [], command: 'replay', env: { SHADOW_DIFF_REPLAY_RATE: 'fast' } })).toThrow(/SHADOW_DIFF_REPLAY_RATE/);
  });

  it("gives report-api's --listen and SHADOW_DIFF_LISTEN to the report API's address", () => {
    expect(loadConfig({ required: [], command: 'report-api', env: { SHADOW_DIFF_LISTEN: '127.0.0.1:9990' } }).reportListen.port).toBe(9990);
    expect(loadConfig({ required: [], command: 'report-api', env: { SHADOW_DIFF_LISTEN: '127.0.0.1:9990', SHADOW_DIFF_REPORT_LISTEN: '127.0.0.1:9991' } }).reportListen.port).toBe(9991);
    expect(loadConfig({ required: [], command: 'report-api', env: {}, flags: { listen: '127.0.0.1:9992' } }).reportListen.port).toBe(9992);
    expect(loadConfig({ required: [], command: 'start', env: { SHADOW_DIFF_LISTEN: '127.0.0.1:9990' } }).reportListen.port).toBe(8081);
  });

  it('reads the gate token from REPORT_TOKEN through the table', () => {
    expect(loadConfig({ required: [], command: 'gate', env: { REPORT_TOKEN: 'abc' } }).token).toBe('abc');
  });

  it('takes the same duration units on every duration flag, replay --timeout included', () => {
    const c = loadConfig({ required: [], command: 'replay', env: {}, flags: { replayTimeoutMs: '1.5s', shadowTimeoutMs: '500ms', jobLockMs: '2m' } });
    expect([c.replayTimeoutMs, c.shadowTimeoutMs, c.jobLockMs]).toEqual([1500, 500, 120_000]);
    // A bare number stays milliseconds, as scripts wrote it.
    expect(loadConfig({ required: [], command: 'replay', env: {}, flags: { replayTimeoutMs: '10000' } }).replayTimeoutMs).toBe(10_000);
  });

  it('refuses timer values past 2^31-1 ms instead of letting Node wrap them to 1 ms', () => {
    const errors = errorsOf(() =>
      loadConfig({ required: [], command: 'replay', env: { SHADOW_DIFF_PRIMARY_TIMEOUT: '25d' }, flags: { shadowTimeoutMs: '25d', jobLockMs: '2147483648', replayTimeoutMs: '30d' } }),
    );
    for (const where of ['--shadow-timeout', '--job-lock', '--timeout', 'env SHADOW_DIFF_PRIMARY_TIMEOUT']) {
      expect(errors.find((e) => e.startsWith(where)), where).toMatch(/at most 2147483647 ms/);
    }
    expect(loadConfig({ env: {}, flags: { shadowTimeoutMs: '24d' } }).shadowTimeoutMs).toBe(24 * 86_400_000);
    // Ages are no timers: a month of retention is fine.
    expect(loadConfig({ env: {}, flags: { retention: '30d' } }).retention).toBe(30 * 86_400_000);
  });

  it('takes percentages and counts as plain decimal text: no hex, binary, octal or exponent, nothing past 2^53', () => {
    for (const percent of ['0x10', '0b1', '0o7', '1e1', 'Infinity', '1e309', '+5', '.', '5.']) {
      for (const key of ['mirrorPercent', 'noiseRelativeThreshold', 'noiseAbsoluteThreshold'] as const) {
        const errors = errorsOf(() => loadConfig({ env: {}, flags: { [key]: percent } }));
        expect(errors[0], `${key} ${percent}`).toMatch(/must be a number from 0 to 100/);
      }
    }
    expect(loadConfig({ env: {}, flags: { mirrorPercent: '12.5' } }).mirrorPercent).toBe(12.5);
    expect(loadConfig({ env: {}, flags: { mirrorPercent: '.5' } }).mirrorPercent).toBe(0.5);
    for (const count of ['99999999999999999999', '9007199254740993']) {
      const errors = errorsOf(() => loadConfig({ env: {}, flags: { queueMaxBacklog: count } }));
      expect(errors[0], count).toMatch(/^--queue-max-backlog.*whole number/);
    }
  });

  it('refuses a replay rate whose interval is past 2^31-1 ms, or not a positive finite number', () => {
    for (const rate of ['1e-300', '0.0000001', '0', '-1', 'Infinity', '1e309', 'NaN', '0x10', '']) {
      const errors = errorsOf(() => loadConfig({ required: [], command: 'replay', env: {}, flags: { replayRate: rate } }));
      expect(errors[0], rate).toMatch(/^--rate: /);
    }
    expect(loadConfig({ required: [], command: 'replay', env: {}, flags: { replayRate: '0.001' } }).replayRate).toBe(0.001);
  });

  it('writes every default once: no fallback literal elsewhere repeats a default of the table', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const root = new URL('../../../', import.meta.url);
    const files = (dir: string): string[] =>
      readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
      );
    const defaults = new Set<string>();
    for (const o of OPTIONS) {
      if (!('default' in o) || o.default === undefined) continue;
      const parsed = defaultValue(o.key);
      if (typeof parsed === 'number' && parsed > 1) defaults.add(String(parsed));
      if (o.default.length >= 5) defaults.add(`'${o.default}'`);
    }
    // Fallbacks (`?? x`), schema defaults (`default: x`) and commander defaults (`.option(…, 'x')`).
    const pattern = /(?:\?\?|default:)\s*('[^']*'|[0-9][0-9_]*)|\.option\([^)]*,\s*('[^']*')\)/g;
    const offenders: string[] = [];
    for (const file of [...files('libs'), ...files('services')].filter((f) => !f.startsWith('libs/config/'))) {
      for (const m of readFileSync(new URL(file, root), 'utf8').matchAll(pattern)) {
        const literal = (m[1] ?? m[2] ?? '').replace(/_/g, '');
        // A commander default is a string: '8' repeats the number 8.
        const unquoted = m[2] !== undefined ? literal.replace(/^'|'$/g, '') : literal;
        if (defaults.has(literal) || defaults.has(unquoted)) offenders.push(`${file}: ${m[0]}`);
      }
    }
    // A constant named after a setting (`DEFAULT_MAX_ENDPOINTS = 1000` for maxEndpoints) is a second copy.
    const keys = new Set(OPTIONS.map((o) => o.key.toLowerCase()));
    for (const file of [...files('libs'), ...files('services')].filter((f) => !f.startsWith('libs/config/'))) {
      for (const m of readFileSync(new URL(file, root), 'utf8').matchAll(/\bDEFAULT_(\w+)\s*=\s*[^d\s]/g)) {
        if (keys.has((m[1] ?? '').replace(/_/g, '').toLowerCase())) offenders.push(`${file}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  it('documents every option with its flag, environment variable and config key', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    // npm run docs:options rewrites the table.
    expect(doc).toContain(optionsTable());
  });
});

describe('rules and routes in the config file', () => {
  it('loads them, merged into the frozen configuration', () => {
    const c = loadConfig({
      env: {},
      configFile: yamlFile(`
routes:
  - pattern: /users/:userId/orders/:orderId
rules:
  global: { ignore: ['$..timestamp'] }
  endpoints:
    "GET /users/:userId/orders/:orderId": { arrays: [{ path: $.lines, mode: keyed, key: sku }] }
`),
    });
    expect(c.comparison.routes).toEqual([{ pattern: '/users/:userId/orders/:orderId' }]);
    expect(c.comparison.global.ignore).toEqual(['$..timestamp']);
    expect(c.comparison.endpoints['GET /users/:userId/orders/:orderId']?.arrays).toEqual([{ path: '$.lines', mode: 'keyed', key: 'sku' }]);
    expect(Object.isFrozen(c.comparison.routes)).toBe(true);
  });

  it('reports every rule error at start, with where it is, together with the other settings', () => {
    const errors = errorsOf(() =>
      loadConfig({
        env: {},
        flags: { mirrorPercent: '101' },
        configFile: yamlFile(`
routes:
  - pattern: no-slash
rules:
  global: { ignore: ['meta.x'], colour: red }
  endpoints:
    "users": { tolerance: [{ path: $.total }] }
    "GET /a": { arrays: [{ path: $.x, mode: keyed }] }
`),
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--mirror-percent/),
        expect.stringMatching(/^routes\[0\]\.pattern/),
        expect.stringMatching(/^rules\.global.*ignore/),
        expect.stringMatching(/^rules\.global.*colour/),
        expect.stringMatching(/^rules\.endpoints: 'users' is not an endpoint name/),
        expect.stringMatching(/^rules\.endpoints\["users"\]\.tolerance\[0\]/),
        expect.stringMatching(/^rules\.endpoints\["GET \/a"\]\.arrays\[0\]/),
      ]),
    );
  });
});

describe('the report on a network address (issue 12, item 4)', () => {
  const serving = (env: NodeJS.ProcessEnv, flags: Record<string, string> = {}) => () => loadConfig({ env, flags, reportListenFlag: '--report-listen' });

  it('accepts loopback addresses without a token: 127.0.0.0/8, ::1, localhost', () => {
    for (const address of ['127.0.0.1:8081', '127.3.2.1:0', '[::1]:8081', 'localhost:8081', 'LOCALHOST:1', '8081']) {
      expect(serving({ SHADOW_DIFF_REPORT_LISTEN: address })().reportListen.port, address).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses a network address without a token, saying how to set one or opt out, with the other errors', () => {
    for (const address of ['0.0.0.0:8081', '[::]:8081', '10.0.0.7:8081', '[::ffff:10.0.0.7]:1', 'reports.internal:8081', '128.0.0.1:1']) {
      const errors = errorsOf(serving({ SHADOW_DIFF_REPORT_LISTEN: address, SHADOW_DIFF_MIRROR_PERCENT: '101' }));
      expect(errors, address).toHaveLength(2);
      const message = errors.find((e) => e.includes(address)) ?? '';
      for (const words of ['--report-listen', '--report-token', 'REPORT_TOKEN', 'SHADOW_DIFF_REPORT_TOKEN', '--allow-unauthenticated', 'SHADOW_DIFF_ALLOW_UNAUTHENTICATED']) {
        expect(message, address).toContain(words);
      }
    }
  });

  it('serves a network address with a token, or with --allow-unauthenticated (boolean-like values)', () => {
    expect(serving({ SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081', REPORT_TOKEN: 'a-long-enough-report-token' })().reportToken).toBe('a-long-enough-report-token');
    for (const yes of ['true', '1', 'yes', 'on', 'TRUE']) {
      expect(serving({ SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081', SHADOW_DIFF_ALLOW_UNAUTHENTICATED: yes })().allowUnauthenticated, yes).toBe(true);
    }
    expect(serving({ SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081' }, { allowUnauthenticated: 'true' })().allowUnauthenticated).toBe(true);
    for (const no of ['false', '0', 'no', 'off']) {
      expect(errorsOf(serving({ SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081', SHADOW_DIFF_ALLOW_UNAUTHENTICATED: no })), no).toHaveLength(1);
    }
    expect(errorsOf(serving({ SHADOW_DIFF_ALLOW_UNAUTHENTICATED: 'maybe' }))[0]).toMatch(/SHADOW_DIFF_ALLOW_UNAUTHENTICATED: must be true or false/);
    expect(loadConfig({ env: {} }).allowUnauthenticated).toBe(false);
  });

  it('does not check commands that serve no report', () => {
    expect(loadConfig({ env: { SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081' } }).reportListen.host).toBe('0.0.0.0');
  });
});
