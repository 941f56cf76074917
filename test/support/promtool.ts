/**
 * The real `promtool check metrics` (the Prometheus project's linter) over a scraped exposition.
 * .ci/run installs promtool from Debian's prometheus package; locally, put it on the PATH.
 */
import { spawnSync } from 'node:child_process';

export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new Error(`promtool is needed for this test (Debian: the prometheus package; .ci/run installs it): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
