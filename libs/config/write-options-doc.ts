/** Rewrites the option table in docs/configuration.md from the option table in code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsTable } from './options-table.js';

const file = new URL('../../docs/configuration.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const start = doc.indexOf('| flag | environment |');
const end = doc.indexOf('\n\n', start);
writeFileSync(file, doc.slice(0, start) + optionsTable() + doc.slice(end));
console.log('docs/configuration.md: option table rewritten');
