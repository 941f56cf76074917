/**
 * The Dockerfile, linted and checked against the code, since no Docker engine runs here (the image is
 * not built in these tests): the linter's rules, then what the processes need at run time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Env, Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../libs/config/options.js';
import { argsOf, lintDockerfile, parseStages, wordsOf, type Stage } from '../support/dockerfile-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEXT = readFileSync(new URL('Dockerfile', `file://${ROOT}/`), 'utf8');
const stages = parseStages(TEXT);
const runtime = stages.at(-1)!;
const sample = stages.find((s) => s.name === 'sample')!;
const named = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.getKeyword() === keyword);
const envOf = (stage: Stage) =>
  Object.fromEntries(named(stage, 'ENV').flatMap((e) => (e as Env).getProperties().map((p) => [p.getName(), p.getValue()])));
const envNames = (key: string) => OPTIONS.find((o) => o.key === key)!.env;
const copies = (stage: Stage) => named(stage, 'COPY').map((c) => wordsOf(c).join(' '));

describe('the Dockerfile lints clean', () => {
  it('has no finding of the linter, for the image and for the sample target', () => {
    expect(lintDockerfile(TEXT, ROOT, ['sample'])).toEqual([]);
  });

  it('the linter finds each kind of problem in a bad Dockerfile', () => {
    const bad = [
      'FROM node AS one',
      'WORKDIR app',
      'COPY no-such-folder ./',
      'COPY node_modules ./node_modules',
      'RUN npm install',
      'FROM node:20-bookworm-slim',
      'COPY --from=nowhere /app ./',
      'RUN npm ci',
      'HEALTHCHECK --interval=5 CMD true',
      'USER root',
    ].join('\n');
    const problems = lintDockerfile(bad, ROOT).join('\n');
    for (const expected of [
      'FROM node: pin a tag',
      'WORKDIR',
      'COPY no-such-folder: not in the repository',
      'COPY node_modules: excluded by .dockerignore',
      'npm install in an image',
      'FROM node:20-bookworm-slim: not a current LTS line',
      'COPY --from=nowhere: no earlier stage',
      'package-lock.json is not copied before it',
      'missing unit in duration',
      'final stage: USER must be set and not root',
    ]) {
      expect(problems).toContain(expected);
    }
  });
});

describe('the image runs what the code needs', () => {
  it('keeps the store on a writable /data volume, through the option table`s own variable', () => {
    expect(envNames('db')).toContain('SHADOW_DIFF_DB');
    expect(envOf(runtime)).toMatchObject({ SHADOW_DIFF_DB: '/data/shadow-diff.db' });
    expect(named(runtime, 'VOLUME').map((v) => argsOf(v))).toEqual([['/data']]);
    const run = named(runtime, 'RUN').map((r) => r.getArgumentsContent()).join('\n');
    expect(run).toMatch(/mkdir -p \/data/);
    expect(run).toMatch(/chown node:node \/data/);
    // VOLUME after the chown: changes to a volume's path after its VOLUME line are discarded.
    expect(runtime.instructions.findIndex((i) => i.getKeyword() === 'VOLUME')).toBeGreaterThan(runtime.instructions.findIndex((i) => i.getKeyword() === 'RUN'));
  });

  it('listens on all interfaces inside the container, and the health check asks the report port', () => {
    const env = envOf(runtime);
    expect(envNames('listen')).toContain('SHADOW_DIFF_LISTEN');
    expect(envNames('reportListen')).toContain('SHADOW_DIFF_REPORT_LISTEN');
    expect(env).toMatchObject({ SHADOW_DIFF_LISTEN: '0.0.0.0:8080', SHADOW_DIFF_REPORT_LISTEN: '0.0.0.0:8081' });
    const health = named(runtime, 'HEALTHCHECK')[0]!.getArgumentsContent() ?? '';
    expect(health).toContain('SHADOW_DIFF_REPORT_LISTEN');
    expect(health).toContain("'/healthz'");
    expect(argsOf(named(runtime, 'EXPOSE')[0]!)).toEqual(['8080', '8081']);
  });

  it('holds production dependencies only, with the files found relative to dist/', () => {
    const prod = stages.find((s) => named(s, 'RUN').some((r) => /npm ci --omit=dev/.test(r.getArgumentsContent() ?? '')));
    expect(prod?.name).toBeTruthy();
    const copied = copies(runtime);
    expect(copied).toContain(`--from=${prod!.name} /app/node_modules ./node_modules`);
    expect(copied.filter((c) => c.includes('node_modules'))).toHaveLength(1);
    // libs/store/open-store.ts, services/report-api/web-routes.ts and services/cli/package-version.ts
    // look three levels above dist/<dir>/<dir>/: /app.
    for (const path of ['migrations ./migrations', 'services/report-api/web ./services/report-api/web', 'package.json ./']) {
      expect(copied).toContain(path);
    }
    expect(named(runtime, 'WORKDIR').map((w) => argsOf(w)[0])).toEqual(['/app']);
    expect(copied).toEqual(expect.arrayContaining(['--from=build /app/dist/libs ./dist/libs', '--from=build /app/dist/services ./dist/services']));
  });

  it('runs compiled JavaScript: the CLI by its package bin, the sample service from dist/demo', () => {
    const bin = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { bin: Record<string, string> }).bin['shadow-diff'];
    const run = named(runtime, 'RUN').map((r) => r.getArgumentsContent()).join('\n');
    expect(run).toContain(`ln -s /app/${bin} /usr/local/bin/shadow-diff`);
    expect(argsOf(named(runtime, 'CMD')[0]!)).toEqual(['["shadow-diff",', '"start"]']);
    expect(copies(sample)).toEqual(['--from=build /app/dist/demo/sample-service.js ./sample-service.mjs']);
    expect(readFileSync(`${ROOT}/tsconfig.build.json`, 'utf8')).toContain('"demo"');
    expect(named(sample, 'CMD')[0]!.getArgumentsContent()).toContain('"sample-service.mjs"');
    expect(TEXT).not.toMatch(/\btsx\b/);
  });

  it('runs as the unprivileged node user in both runnable stages', () => {
    for (const stage of [runtime, sample]) expect(argsOf(named(stage, 'USER').at(-1)!)).toEqual(['node']);
  });
});
