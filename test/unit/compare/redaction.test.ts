import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Redaction } from '../../../libs/compare/redaction.js';
import { body } from '../../support/fixtures.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const decode = (b: { bytes: Buffer }) => JSON.parse(b.bytes.toString('utf8'));

describe('Redaction', () => {
  const r = new Redaction({ headers: ['X-Api-Key'], jsonPaths: ['$.password', '$..token', '$.cards[*].number'] });

  it('redacts default and configured headers', () => {
    expect(r.headers({ authorization: 'Bearer s', cookie: 'c', 'x-api-key': 'k', accept: '*/*' })).toEqual({
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      accept: '*/*',
    });
  });

  it('redacts JSON paths at any depth and in arrays, leaving the rest', () => {
    const input = { user: 'ada', password: 'hunter2', session: { token: 't1', nested: { token: 't2' } }, cards: [{ number: '4111', exp: '12/30' }] };
    const out = r.body(body(input), JSON_HEADERS);
    expect(decode(out.body)).toEqual({
      user: 'ada',
      password: '[REDACTED]',
      session: { token: '[REDACTED]', nested: { token: '[REDACTED]' } },
      cards: [{ number: '[REDACTED]', exp: '12/30' }],
    });
  });

  it('reads compressed bodies and stores the redacted one decoded', () => {
    const gz = gzipSync(JSON.stringify({ password: 'p', ok: true }));
    const out = r.body({ bytes: gz, size: gz.length, truncated: false }, { ...JSON_HEADERS, 'content-encoding': 'gzip', 'content-length': String(gz.length) });
    expect(decode(out.body)).toEqual({ password: '[REDACTED]', ok: true });
    expect(out.headers['content-encoding']).toBeUndefined();
  });

  it('keeps nothing of a JSON body it cannot parse, and leaves other bodies alone', () => {
    const broken = r.body({ bytes: Buffer.from('{"password": "p"'), size: 16, truncated: false }, JSON_HEADERS);
    expect(broken.body.bytes.toString()).toBe('[REDACTED]');
    const text = body('password=p');
    expect(r.body(text, { 'content-type': 'text/plain' }).body).toEqual(text);
  });

  it('says which difference paths lie under a redacted path', () => {
    expect(r.coversPath('$.password')).toBe(true);
    expect(r.coversPath('$.a.token')).toBe(true);
    expect(r.coversPath('$.cards[2].number')).toBe(true);
    expect(r.coversPath('$.cards[2].exp')).toBe(false);
    expect(r.coversPath('header.authorization')).toBe(false);
  });
});
