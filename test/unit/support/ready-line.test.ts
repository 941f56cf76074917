/** The test helpers read the ports a process bound from its ready line (cli-process.ts). */
import { describe, expect, it } from 'vitest';
import { parseReady } from '../../support/cli-process.js';

describe('parseReady', () => {
  it('reads each service URL and its port, and ignores the words that are no URL', () => {
    const ready = parseReady('ingress http://127.0.0.1:41234, report http://0.0.0.0:41235, admin http://127.0.0.1:41236, mode mirror-target; queue embedded');
    expect(ready.urls).toEqual({ ingress: 'http://127.0.0.1:41234', report: 'http://0.0.0.0:41235', admin: 'http://127.0.0.1:41236' });
    expect(ready.ports).toEqual({ ingress: 41234, report: 41235, admin: 41236 });
    expect(ready.port('report')).toBe(41235);
  });

  it('names what is missing instead of answering undefined', () => {
    const ready = parseReady('report http://[::1]:5000; queue none');
    expect(ready.port('report')).toBe(5000);
    expect(() => ready.port('ingress')).toThrow(/names no ingress/);
    expect(parseReady('working; queue bullmq (shadow-diff)').urls).toEqual({});
  });
});
