import { describe, expect, it } from 'vitest';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import { hostEchoRewriter } from '../../../libs/compare/host-echo.js';
import type { CapturedResponse, Exchange } from '../../../libs/exchange/exchange.js';

const shadowOf = hostEchoRewriter({ primary: 'reviews:9080', shadow: 'reviews-shadow:9080' });
const replayOf = hostEchoRewriter({ primary: 'shop.example', shadow: '127.0.0.1:4567' });

describe('hostEchoRewriter', () => {
  it('reads the sent host, with or without its port, as the primary host in URLs', () => {
    const r = shadowOf!;
    expect(r.text('http://reviews-shadow:9080/items?page=2')).toBe('http://reviews:9080/items?page=2');
    expect(r.text('https://REVIEWS-SHADOW/items')).toBe('https://reviews/items');
    expect(r.text('<http://reviews-shadow:9080/a>; rel="next", <//reviews-shadow/b>; rel="first"')).toBe('<http://reviews:9080/a>; rel="next", <//reviews/b>; rel="first"');
    expect(r.text('{"self":"http:\\/\\/reviews-shadow:9080\\/x"}')).toBe('{"self":"http:\\/\\/reviews:9080\\/x"}');
    expect(r.text('/login?next=http%3A%2F%2Freviews-shadow%2Fx')).toBe('/login?next=http%3A%2F%2Freviews%2Fx');
    expect(r.text('{"host":"reviews-shadow:9080","name":"reviews-shadow"}')).toBe('{"host":"reviews:9080","name":"reviews"}');
    expect(r.text('served by reviews-shadow:9080.')).toBe('served by reviews:9080.');
  });

  it('leaves other hosts, ports, paths and queries alone', () => {
    const r = shadowOf!;
    for (const text of [
      'http://reviews-shadow.other:9080/x',
      'http://my-reviews-shadow:9080/x',
      'http://reviews-shadow:90801/x',
      'http://reviews-shadow:9081/x',
      'http://reviews/x',
      'the reviews-shadow service', // the bare name outside a URL or a whole value
    ]) {
      expect(r.text(text)).toBe(text);
    }
    expect(r.text('http://reviews-shadow:9080/v2/items?page=2&sort=desc')).toBe('http://reviews:9080/v2/items?page=2&sort=desc');
  });

  it('maps a replay candidate address to the recorded host', () => {
    const r = replayOf!;
    expect(r.text('http://127.0.0.1:4567/items')).toBe('http://shop.example/items');
    expect(r.text('http://127.0.0.1/items')).toBe('http://shop.example/items');
    expect(r.headers({ location: 'http://127.0.0.1:4567/x', link: ['<http://127.0.0.1:4567/a>', 'x'] })).toEqual({ location: 'http://shop.example/x', link: ['<http://shop.example/a>', 'x'] });
  });

  it('has nothing to undo without hosts or with the same host', () => {
    expect(hostEchoRewriter(undefined)).toBeNull();
    expect(hostEchoRewriter({ primary: 'a:1' })).toBeNull();
    expect(hostEchoRewriter({ primary: 'A:1', shadow: 'a:1' })).toBeNull();
  });
});

function response(headers: Record<string, string>, body: unknown): CapturedResponse {
  const bytes = Buffer.from(JSON.stringify(body));
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: { bytes, size: bytes.length, truncated: false }, latencyMs: 1 };
}

function exchange(shadowHostName: string, next: string): Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError' | 'hosts'> {
  return {
    request: { method: 'GET', url: '/items', headers: { host: 'reviews:9080' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
    primary: response({ location: 'http://reviews:9080/items?page=2' }, { next: 'http://reviews:9080/items?page=2' }),
    shadow: response({ location: `http://${shadowHostName}/items?page=2` }, { next }),
    shadowError: null,
    hosts: { primary: 'reviews:9080', shadow: 'reviews-shadow:9080' },
  };
}

describe('compareExchange and the host echo', () => {
  it('finds no difference in an echo, and the real one beside it', () => {
    expect(compareExchange(exchange('reviews-shadow:9080', 'http://reviews-shadow:9080/items?page=2')).differences).toEqual([]);
    const moved = compareExchange(exchange('reviews-shadow:9080', 'http://reviews-shadow:9080/v2/items?page=2'));
    expect(moved.differences.map((d) => [d.path, d.primary, d.shadow])).toEqual([['$.next', 'http://reviews:9080/items?page=2', 'http://reviews:9080/v2/items?page=2']]);
  });

  it('compares as sent with hostEcho off', () => {
    const paths = compareExchange(exchange('reviews-shadow:9080', 'http://reviews-shadow:9080/items?page=2'), { hostEcho: 'off' }).differences.map((d) => d.path);
    expect(paths).toEqual(['header.location', '$.next']);
  });
});
