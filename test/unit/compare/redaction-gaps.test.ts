import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, Redaction } from '../../../libs/compare/redaction.js';

const captured = (s: string) => ({ bytes: Buffer.from(s), size: Buffer.byteLength(s), truncated: false });
const text = (b: { bytes: Buffer }) => b.bytes.toString('utf8');

describe('Redaction beyond JSON content types', () => {
  const key = randomBytes(32);
  const r = new Redaction({ jsonPaths: ['$..password', '$.token'], key });

  it('applies the JSON paths to a body that parses as JSON whatever its content type', () => {
    const cases: Record<string, string>[] = [{ 'content-type': 'text/plain' }, {}, { 'content-type': 'application/octet-stream' }];
    for (const headers of cases) {
      const out = text(r.body(captured('{"user":"ada","password":"hunter2"}'), headers).body);
      expect(out).not.toContain('hunter2');
      expect(JSON.parse(out).user).toBe('ada');
    }
  });

  it('applies them to form fields by name', () => {
    const out = text(r.body(captured('user=ada&password=hunter2&token=t0ps3cret'), { 'content-type': 'application/x-www-form-urlencoded' }).body);
    expect(out).toMatch(/^user=ada&password=[^&]+&token=[^&]+$/);
    expect(out).not.toMatch(/hunter2|t0ps3cret/);
  });

  it('applies them to multipart fields by name, leaving other parts whole', () => {
    const boundary = '----xyz';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="user"',
      '',
      'ada',
      `--${boundary}`,
      'Content-Disposition: form-data; name="password"',
      '',
      'hunter2',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const out = text(r.body(captured(body), { 'content-type': `multipart/form-data; boundary=${boundary}` }).body);
    expect(out).not.toContain('hunter2');
    expect(out).toContain('name="user"\r\n\r\nada\r\n');
    expect(out).toContain('name="password"');
  });

  it('keeps a redacted value comparable: equal secrets hash alike, different ones differ, and the key matters', () => {
    const a = r.value('hunter2');
    expect(a).not.toContain('hunter2');
    expect(r.value('hunter2')).toBe(a);
    expect(r.value('hunter3')).not.toBe(a);
    expect(new Redaction({ key: randomBytes(32) }).value('hunter2')).not.toBe(a);
  });

  it('redacts the default query parameters of stored URLs, and those configured', () => {
    const url = '/cb?code=c0de&state=ok&access_token=at0k&API_KEY=k3y&page=2';
    const out = r.url(url);
    expect(out).not.toMatch(/c0de|at0k|k3y/);
    expect(out).toMatch(/^\/cb\?code=[^&]+&state=ok&access_token=[^&]+&API_KEY=[^&]+&page=2$/);
    expect(DEFAULT_REDACTED_QUERY_PARAMS).toEqual(['access_token', 'token', 'api_key', 'apikey', 'key', 'password', 'secret', 'signature', 'sig', 'code']);
    const custom = new Redaction({ queryParams: ['session'], key });
    expect(custom.url('/x?session=s3ss&code=keep')).toMatch(/^\/x\?session=[^&]+&code=keep$/);
    expect(custom.url('/x?session=s3ss')).not.toContain('s3ss');
    expect(r.url('/plain/path')).toBe('/plain/path');
  });

  it('says a form difference lies under a redacted path', () => {
    expect(r.coversPath('form.password')).toBe(true);
    expect(r.coversPath('form.user')).toBe(false);
  });
});

describe('Redaction keeps numbers exact', () => {
  it('writes big integers and long decimals of a redacted body as they came', () => {
    const r = new Redaction({ jsonPaths: ['$.password'] });
    const input = '{"account":9007199254740993,"tiny":1e-400,"price":0.10000000000000000001,"n":[1,2.5],"password":"p","s":"\\u0000x"}';
    const out = text(r.body(captured(input), { 'content-type': 'application/json' }).body);
    expect(out).toBe('{"account":9007199254740993,"tiny":1e-400,"price":0.10000000000000000001,"n":[1,2.5],"password":"[REDACTED]","s":"\\u0000x"}');
  });
});
