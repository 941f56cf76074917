/**
 * A Dockerfile linter for the tests, since no Docker engine (and no hadolint) runs here: the syntax
 * and flag checks of dockerfile-utils (the VS Code Docker extension's validator), then this project's
 * rules on the stages parsed by dockerfile-ast. Returns one message per problem, empty when clean.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Flag, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';

export interface Stage {
  name: string | null;
  image: string;
  tag: string | null;
  digest: string | null;
  instructions: Instruction[];
}

const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = froms[stages.length]!;
      stages.push({ name: from.getBuildStage(), image: from.getImageName() ?? '', tag: from.getImageTag(), digest: from.getImageDigest(), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export const argsOf = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
/** Flags (`--from=build`) then arguments: the parser keeps the flags of COPY, ADD, RUN and HEALTHCHECK apart. */
export const wordsOf = (i: Instruction): string[] => [
  ...('getFlags' in i && typeof i.getFlags === 'function' ? (i.getFlags() as Flag[]).map((f) => `--${f.getName()}=${f.getValue() ?? ''}`) : []),
  ...argsOf(i),
];
const named = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
const flagOf = (args: string[], flag: string) => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);

/** A .dockerignore pattern as a regular expression: `**` across folders, `*` within one. */
const globToRegExp = (glob: string) =>
  glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('.*');

/** .dockerignore's patterns as matchers (`*` within a segment, `**` across, a folder covers its contents). */
function ignoredBy(root: string): (path: string) => boolean {
  const file = join(root, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((p) => new RegExp(`^${globToRegExp(p.replace(/^\/|\/$/g, ''))}(?:/.*)?$`));
  return (path) => patterns.some((p) => p.test(path.replace(/^\.\//, '').replace(/\/$/, '')));
}

function checkFrom(stage: Stage, earlier: Set<string>): string[] {
  if (earlier.has(stage.image)) return [];
  const problems: string[] = [];
  if (!stage.digest && (!stage.tag || stage.tag === 'latest')) problems.push(`FROM ${stage.image}: pin a tag (not latest) or a digest`);
  const major = stage.image === 'node' && stage.tag ? Number(/^(\d+)/.exec(stage.tag ?? '')?.[1]) : null;
  if (major !== null && !(major >= 22 && major % 2 === 0)) problems.push(`FROM node:${stage.tag}: not a current LTS line (22 or later, even)`);
  return problems;
}

function checkCopies(stage: Stage, root: string, earlier: Set<string>): string[] {
  const problems: string[] = [];
  const ignored = ignoredBy(root);
  for (const copy of [...named(stage, 'COPY'), ...named(stage, 'ADD')]) {
    const args = wordsOf(copy);
    const from = flagOf(args, 'from');
    const sources = args.filter((a) => !a.startsWith('--')).slice(0, -1);
    if (from !== undefined) {
      if (!earlier.has(from)) problems.push(`COPY --from=${from}: no earlier stage of that name`);
      continue;
    }
    for (const source of sources) {
      if (!existsSync(join(root, source))) problems.push(`COPY ${source}: not in the repository`);
      else if (ignored(source)) problems.push(`COPY ${source}: excluded by .dockerignore`);
    }
  }
  return problems;
}

function checkRuns(stages: Stage[], index: number): string[] {
  const problems: string[] = [];
  const stage = stages[index]!;
  // The lockfile must be in this stage or in a stage it is built FROM.
  const lineage = (s: Stage): Stage[] => [s, ...stages.filter((p) => p.name === s.image).flatMap(lineage)];
  const copiesLockfile = lineage(stage).some((s) => named(s, 'COPY').some((c) => argsOf(c).includes('package-lock.json')));
  for (const run of named(stage, 'RUN')) {
    const text = run.getArgumentsContent() ?? '';
    if (/\bnpm\s+(install|i|add)\b/.test(text)) problems.push(`RUN ${text.slice(0, 40)}…: npm install in an image; use npm ci with the lockfile`);
    if (/\bnpm\s+ci\b/.test(text) && !copiesLockfile) problems.push(`RUN npm ci in stage ${stage.name ?? index}: package-lock.json is not copied before it`);
    if (/\bcurl\b.*\|\s*(ba)?sh\b/.test(text)) problems.push('RUN pipes a download into a shell');
  }
  return problems;
}

/** A stage that is run as an image (not only copied from) needs a non-root USER, a HEALTHCHECK and a CMD. */
export function checkRunnable(stage: Stage, label: string): string[] {
  const problems: string[] = [];
  const user = named(stage, 'USER').at(-1);
  const who = user ? argsOf(user)[0]?.split(':')[0] : undefined;
  if (!who || who === 'root' || who === '0') problems.push(`${label}: USER must be set and not root`);
  if (named(stage, 'HEALTHCHECK').length !== 1) problems.push(`${label}: one HEALTHCHECK`);
  if (named(stage, 'CMD').length !== 1 && named(stage, 'ENTRYPOINT').length === 0) problems.push(`${label}: no CMD`);
  return problems;
}

export function lintDockerfile(text: string, root: string, runnable: string[] = []): string[] {
  const problems = validate(text, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const stages = parseStages(text);
  if (stages.length === 0) return [...problems, 'no FROM'];
  const earlier = new Set<string>();
  stages.forEach((stage, index) => {
    problems.push(...checkFrom(stage, earlier), ...checkCopies(stage, root, earlier), ...checkRuns(stages, index));
    if (stage.name) earlier.add(stage.name);
  });
  problems.push(...checkRunnable(stages.at(-1)!, 'final stage'));
  for (const name of runnable) {
    const stage = stages.find((s) => s.name === name);
    problems.push(...(stage ? checkRunnable(stage, `stage ${name}`) : [`no stage ${name}`]));
  }
  return problems;
}
