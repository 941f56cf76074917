/** Rewrites the option table in docs/configuration.md from the option table in code. */
import { rewriteTable } from './doc-table.js';
import { optionsTable } from './options-table.js';

rewriteTable(new URL('../../docs/configuration.md', import.meta.url), optionsTable());
console.log('docs/configuration.md: option table rewritten');
