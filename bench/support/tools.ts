/**
 * The HTTP benchmarks need Debian's nginx and wrk. When they are missing, root installs them with
 * apt-get; anyone else is told the command. Nothing is downloaded from anywhere else.
 */
import { spawnSync } from 'node:child_process';

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

export function ensureHttpTools(): void {
  const missing = ['nginx', 'wrk'].filter((b) => !has(b) && !(b === 'nginx' && has('/usr/sbin/nginx')));
  if (missing.length === 0) return;
  const install = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk';
  if (process.getuid?.() === 0 && has('apt-get')) {
    console.error(`bench: installing ${missing.join(' and ')} from Debian's packages`);
    const r = spawnSync('sh', ['-c', install], { stdio: 'inherit' });
    if (r.status === 0) return;
  }
  console.error(`bench: the HTTP benchmarks need ${missing.join(' and ')}: ${install}`);
  process.exit(1);
}
