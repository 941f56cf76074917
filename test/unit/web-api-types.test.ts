import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsdocTypes } from '../../libs/api/jsdoc-types.js';

describe("the web report's API types", () => {
  it('are what npm run docs:web-types prints from the schemas', () => {
    const checkedIn = readFileSync(new URL('../../services/report-api/web/api-types.js', import.meta.url), 'utf8');
    expect(checkedIn).toBe(jsdocTypes());
  });
});
