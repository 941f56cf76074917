import { describe, expect, it } from 'vitest';
import { checkUrl, HTTP_SCHEMES, REPORT_URL, writtenAsHttpUrl } from '../../../libs/values/url.js';

describe('URLs', () => {
  it('accepts a URL of an allowed scheme', () => {
    const r = checkUrl('http://127.0.0.1:8081/base', { schemes: HTTP_SCHEMES });
    expect(r.ok && r.url.host).toBe('127.0.0.1:8081');
  });

  it('names the schemes, or the caller’s words for them', () => {
    expect(checkUrl('ftp://x', { schemes: HTTP_SCHEMES })).toEqual({ ok: false, reason: 'scheme', problem: "must be a http: or https: URL, got 'ftp://x'" });
    expect(checkUrl('ftp://x', REPORT_URL)).toEqual({ ok: false, reason: 'scheme', problem: "must be an http(s) URL, got 'ftp://x'" });
  });

  it('shows an example for text that is no URL, and the text as given', () => {
    expect(checkUrl('nope', REPORT_URL)).toEqual({ ok: false, reason: 'syntax', problem: "must be a URL such as http://127.0.0.1:8081, got 'nope'" });
    expect(checkUrl('nope', { schemes: ['redis:'] }, ' nope ')).toEqual({ ok: false, reason: 'syntax', problem: "must be a URL, got ' nope '" });
  });
});

describe('a URL as written', () => {
  it('asks for http:// or https:// and a host, where the WHATWG parser is laxer', () => {
    expect(writtenAsHttpUrl('http://x')).toBe(true);
    expect(writtenAsHttpUrl('https://x:1/p')).toBe(true);
    for (const text of ['HTTP://x', 'http:x', 'http:///x', 'ftp://x', 'recorded']) expect(writtenAsHttpUrl(text), text).toBe(false);
  });
});
