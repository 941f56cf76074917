/**
 * nginx (the Debian package) as a real mirroring proxy in front of test servers: started without root
 * on an ephemeral port, with everything it writes in a temp dir, in the foreground and as one process
 * (`daemon off; master_process off`), SIGKILLed after the test. .ci/run installs it where missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { freePort } from './cli-process.js';
import { waitFor } from './wait.js';

function connects(port: number): Promise<'up' | 'down'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('up');
    });
    socket.once('error', () => resolve('down'));
  });
}

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface Nginx {
  url: string;
  errorLog(): string;
}

/** `http` is the body of the config's http block; `{{port}}` in it is the port nginx listens on. */
export function useNginx(): (http: (port: number) => string) => Promise<Nginx> {
  const started: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });
  return async (http) => {
    if (!existsSync(NGINX)) throw new Error(`nginx is not installed at ${NGINX}: apt-get install nginx (.ci/run does), or set NGINX_BIN`);
    const dir = mkdtempSync(join(tmpdir(), 'shadow-diff-nginx-'));
    const port = await freePort();
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join(' ');
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      [
        'daemon off;',
        'master_process off;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} info;`,
        'events { worker_connections 256; }',
        `http { access_log off; ${temp}`,
        http(port),
        '}',
      ].join('\n'),
    );
    const errorLog = join(dir, 'error.log');
    // -e: the log nginx writes before it has read the config (the package's default is under /var/log).
    const child = spawn(NGINX, ['-e', errorLog, '-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      // A bare connection: a request would be proxied (and mirrored).
      async () => (child.exitCode !== null ? 'exited' : await connects(port)),
      (s) => s !== 'down',
      10_000,
      'nginx to listen',
    ).then((s) => {
      if (s === 'exited') throw new Error(`nginx exited: ${out}${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`);
    });
    return { url, errorLog: () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '') };
  };
}
