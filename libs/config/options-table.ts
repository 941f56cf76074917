/** The option table of docs/configuration.md, generated from OPTIONS (`npm run docs:options` rewrites it). */
import { COMMANDS, flagOf } from './commands.js';
import { OPTIONS, type OptionKey } from './options.js';

const code = (s: string) => `\`${s}\``;

/** The commands that take a setting as a flag, with the flag where a command names it otherwise. */
function commandsOf(key: OptionKey, flag: string): string {
  return COMMANDS.filter((c) => c.options.includes(key))
    .map((c) => (flagOf(c, key) === flag ? c.name : `${c.name} (${code(flagOf(c, key))})`))
    .join(', ');
}

export function optionsTable(): string {
  const rows = OPTIONS.map((o) => {
    const def = !('default' in o) || o.default === undefined ? '—' : o.default === '' ? '(empty)' : code(o.default);
    return `| ${code(o.flag)} | ${o.env.map(code).join(', ')} | ${code(o.key)} | ${def} | ${commandsOf(o.key, o.flag) || '—'} | ${o.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| flag | environment | config key | default | commands | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
