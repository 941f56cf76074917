/** The option table of docs/configuration.md, generated from OPTIONS (`npm run docs:options` rewrites it). */
import { OPTIONS } from './options.js';

const code = (s: string) => `\`${s}\``;

export function optionsTable(): string {
  const rows = OPTIONS.map((o) => {
    const def = !('default' in o) || o.default === undefined ? '—' : o.default === '' ? '(empty)' : code(o.default);
    return `| ${code(o.flag)} | ${o.env.map(code).join(', ')} | ${code(o.key)} | ${def} | ${o.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| flag | environment | config key | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
