/**
 * The tests run the CLI from dist/ (plain node starts in half the time of tsx). `npm ci` builds it
 * (prepare), but while developing it lags the sources: the global setup rebuilds it, incrementally,
 * whenever a source is newer than its output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The folders tsconfig.build.json compiles. */
const SOURCES = ['libs', 'services', 'demo'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');

export const CLI_ENTRY = join(ROOT, 'dist', 'services', 'cli', 'main.js');

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/(?<!\.d|\.test)\.ts$/.test(entry.name)) yield path;
  }
}

const mtime = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : -1);

interface Lag {
  /** An output is gone: an incremental build would not bring it back. */
  missing: boolean;
  /** Outputs older than their source (or than a config file). */
  stale: string[];
}

function lag(): Lag {
  const configs = Math.max(...CONFIGS.map((c) => mtime(join(ROOT, c))));
  const result: Lag = { missing: false, stale: [] };
  for (const dir of SOURCES) {
    for (const source of sources(join(ROOT, dir))) {
      const output = join(ROOT, 'dist', relative(ROOT, source).replace(/\.ts$/, '.js'));
      const built = mtime(output);
      if (built < 0) result.missing = true;
      else if (built < Math.max(mtime(source), configs)) result.stale.push(output);
    }
  }
  return result;
}

/** Builds dist/ when it lags the sources. Type errors do not stop the tests (tsx never checked types either). */
export function ensureDist(): void {
  const before = lag();
  if (!before.missing && before.stale.length === 0) return;
  if (before.missing) rmSync(BUILD_INFO, { force: true });
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', BUILD_INFO], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // 2: type errors, outputs written anyway.
  if (tsc.status !== 0 && tsc.status !== 2) throw new Error(`building dist/ failed (tsc exit ${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
  const after = lag();
  if (after.missing) throw new Error(`dist/ still lacks outputs after tsc:\n${tsc.stdout}`);
  // tsc skips an output whose source was touched but not changed: it is current, say so.
  const now = new Date();
  for (const output of after.stale) utimesSync(output, now, now);
}
