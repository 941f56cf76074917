/**
 * shadow-diff is not on the npm registry: a documented step that fetches it by name (`npx shadow-diff`
 * in a fresh CI job) would fail. CI steps take the release tarball or the image.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const gating = readFileSync(new URL('../../docs/gating.md', import.meta.url), 'utf8');

/** The `run:` lines of the YAML blocks that call shadow-diff. */
const ciSteps = [...gating.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => /^\s*-?\s*run:.*shadow-diff/.test(l)));

describe('the documented CI step', () => {
  it('exists', () => {
    expect(ciSteps.length).toBeGreaterThan(0);
  });

  it('takes shadow-diff from the release tarball or the image, never by registry name', () => {
    for (const step of ciSteps) {
      expect(step, step).toMatch(/npx (--yes )?--package \.\/shadow-diff-[\w.-]+\.tgz shadow-diff |docker run .* shadow-diff /);
    }
  });
});
