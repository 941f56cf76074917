/** `shadow-diff --version` prints package.json's version (the installed package's is checked by test/package). */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { spawnCli, useChildren } from '../support/cli-process.js';

const children = useChildren();
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

it.each(['--version', '-V'])('%s prints the version and exits 0', async (flag) => {
  const cli = spawnCli([flag]);
  children.push(cli);
  expect(await cli.exited()).toBe(0);
  expect(cli.output()).toBe(`${version}\n`);
});
