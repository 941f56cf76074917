/** mirror-target mode's pure rules: the mesh's Host suffix taken off for the primary, and which methods reach the primary. */
import { describe, expect, it } from 'vitest';
import { createMethodRule } from '../../../libs/capture/method-rule.js';
import { mirroredHosts, shadowHost, stripHostSuffix } from '../../../libs/capture/shadow-host.js';
import { defaultValue } from '../../../libs/config/load-config.js';

describe('stripHostSuffix', () => {
  it.each([
    ['reviews-shadow', '-shadow', 'reviews'],
    ['reviews-shadow:9080', '-shadow', 'reviews:9080'],
    ['reviews.default.svc.cluster.local-shadow:80', '-shadow', 'reviews.default.svc.cluster.local:80'],
    ['Reviews-SHADOW:9080', '-shadow', 'Reviews:9080'],
    ['reviews-canary:9080', '-canary', 'reviews:9080'],
    // Without the suffix at the end of the name: as received.
    ['reviews:9080', '-shadow', 'reviews:9080'],
    ['reviews-shadow.internal:9080', '-shadow', 'reviews-shadow.internal:9080'],
    ['reviews:9080-shadow', '-shadow', 'reviews:9080-shadow'],
    // A name that is the suffix alone would be left empty.
    ['-shadow:9080', '-shadow', '-shadow:9080'],
    ['reviews-shadow:9080', '', 'reviews-shadow:9080'],
    ['[::1]:8080', '-shadow', '[::1]:8080'],
  ])('%s without suffix %j -> %s', (host, suffix, expected) => {
    expect(stripHostSuffix(host, suffix)).toBe(expected);
  });

  it('undoes shadowHost', () => {
    for (const host of ['reviews', 'reviews:9080', 'a.b.c:1']) expect(stripHostSuffix(shadowHost(host, '-shadow'), '-shadow')).toBe(host);
  });

  it('leaves a missing host missing', () => {
    expect(stripHostSuffix(undefined, '-shadow')).toBeUndefined();
  });

  it('defaults to -shadow, as Istio mirrors', () => {
    expect(defaultValue('stripHostSuffix')).toBe('-shadow');
  });
});

describe('mirroredHosts', () => {
  it('records the primary without the suffix and the shadow as received', () => {
    expect(mirroredHosts('reviews-shadow:9080', '-shadow')).toEqual({ primary: 'reviews:9080', shadow: 'reviews-shadow:9080' });
  });

  it('records nothing when both sides get the same Host', () => {
    expect(mirroredHosts('reviews:9080', '-shadow')).toBeUndefined();
    expect(mirroredHosts('reviews-shadow:9080', '')).toBeUndefined();
    expect(mirroredHosts(undefined, '-shadow')).toBeUndefined();
  });
});

describe('createMethodRule', () => {
  it('sends GET, HEAD and OPTIONS by default and skips every other method as unsafe_method', () => {
    const rule = createMethodRule(defaultValue('mirrorMethods') as string[]);
    expect(['GET', 'HEAD', 'OPTIONS'].map(rule)).toEqual(['send', 'send', 'send']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'].map(rule)).toEqual(Array(5).fill('unsafe_method'));
  });

  it('sends what --mirror-methods lists, and nothing else', () => {
    const rule = createMethodRule(['get', 'POST']);
    expect(rule('POST')).toBe('send');
    expect(rule('GET')).toBe('send');
    expect(rule('HEAD')).toBe('unsafe_method');
  });

  it('does not take a lower-case method for its upper-case namesake', () => {
    expect(createMethodRule(['GET'])('get')).toBe('unsafe_method');
  });
});
