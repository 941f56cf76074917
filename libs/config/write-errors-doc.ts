/** Rewrites the table of error codes in docs/errors.md from libs/errors.ts; the prose around it is kept. */
import { errorCodesTable } from '../errors.js';
import { rewriteTable } from './doc-table.js';

rewriteTable(new URL('../../docs/errors.md', import.meta.url), errorCodesTable());
console.log('docs/errors.md: error code table rewritten');
