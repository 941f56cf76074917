/**
 * The layout shows the flow (docs/architecture.md): a stage of libs/ imports only itself and the
 * stages before it, libs/ never imports services/, and a service imports no other service but the
 * CLI, which picks one or runs them all. Read from the import statements themselves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The stages of libs/, in the order of the flow; the first row is what every stage may use. */
export const LIBS_STAGES: readonly (readonly string[])[] = [
  ['errors.ts', 'logger.ts', 'lifecycle', 'metrics', 'values'],
  ['http'],
  ['exchange'],
  ['queue'],
  ['capture'],
  ['compare'],
  ['config'],
  ['api'],
  ['store'],
  ['gate'],
  ['replay'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'vendor' || e.name === 'web' ? [] : sourceFiles(path);
    return /\.(ts|js)$/.test(e.name) ? [path] : [];
  });
}

/** Relative import specifiers of a module, resolved to repository paths. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?from\s*)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)];
  return specs.map((m) => normalize(join(dirname(file), (m[1] ?? m[2]) as string)));
}

/** The stage index of a path under libs/ (its top folder, or the file itself at the top). */
function stageOf(path: string): number {
  const top = relative('libs', path).split('/')[0] as string;
  const name = top.replace(/\.js$/, '.ts');
  const index = LIBS_STAGES.findIndex((row) => row.includes(name));
  if (index < 0) throw new Error(`${path}: libs/${name} is in no stage of LIBS_STAGES`);
  return index;
}

describe('the layout of libs/ and services/', () => {
  const libs = sourceFiles('libs');
  const services = sourceFiles('services');

  it('finds the modules it checks', () => {
    expect(libs.length).toBeGreaterThan(50);
    expect(services.length).toBeGreaterThan(30);
  });

  it('puts every folder of libs/ in a stage', () => {
    for (const file of libs) expect(() => stageOf(file)).not.toThrow();
  });

  it('has each stage of libs/ import only itself and the stages before it, never services/', () => {
    const wrong: string[] = [];
    for (const file of libs) {
      for (const target of importsOf(file)) {
        if (!target.startsWith('libs/')) wrong.push(`${file} imports ${target}`);
        else if (stageOf(target) > stageOf(file)) wrong.push(`${file} (${LIBS_STAGES[stageOf(file)]?.join()}) imports a later stage: ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has a service import no other service, but the CLI', () => {
    const wrong: string[] = [];
    for (const file of services) {
      const own = file.split('/')[1];
      if (own === 'cli') continue;
      for (const target of importsOf(file)) {
        if (target.startsWith('services/') && target.split('/')[1] !== own) wrong.push(`${file} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('would notice a later stage imported by an earlier one', () => {
    expect(stageOf('libs/http/headers.ts')).toBeLessThan(stageOf('libs/compare/redaction.ts'));
    expect(stageOf('libs/errors.ts')).toBe(0);
  });
});
