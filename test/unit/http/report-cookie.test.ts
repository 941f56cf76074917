import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../../../libs/http/headers.js';
import { stripReportCookies } from '../../../libs/http/report-cookie.js';

const strip = (headers: HeaderMap) => {
  stripReportCookies(headers);
  return headers;
};

describe('stripReportCookies', () => {
  it("removes the report's session cookie and the legacy token cookie, wherever they are", () => {
    expect(strip({ cookie: 'a=1; shadow_diff_session=v1.1.x; b=2=3' })).toEqual({ cookie: 'a=1; b=2=3' });
    expect(strip({ cookie: 'shadow_diff_token=secret;a=1' })).toEqual({ cookie: 'a=1' });
    expect(strip({ cookie: ['shadow_diff_session=x', 'c=3'], accept: '*/*' })).toEqual({ cookie: 'c=3', accept: '*/*' });
  });

  it('drops the header when nothing else is left', () => {
    expect(strip({ cookie: ' shadow_diff_session=x ; shadow_diff_token=y', host: 'h' })).toEqual({ host: 'h' });
  });

  it('leaves every other cookie byte for byte, look-alike names included', () => {
    for (const cookie of ['a=1;b=2', 'xshadow_diff_session=1; shadow_diff_session_x=2', 'flag; a="q;"', '']) {
      expect(strip({ cookie })).toEqual({ cookie });
    }
    expect(strip({ accept: '*/*' })).toEqual({ accept: '*/*' });
  });
});
