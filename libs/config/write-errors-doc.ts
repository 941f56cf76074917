/** Rewrites the table of error codes in docs/errors.md from libs/errors.ts; the prose around it is kept. */
import { fileURLToPath } from 'node:url';
import { ERROR_CODES_SECTION, errorCodesTable } from '../errors.js';
import { writeSection } from './docs-section.js';

writeSection(fileURLToPath(new URL('../../docs/errors.md', import.meta.url)), ERROR_CODES_SECTION, errorCodesTable());
console.log('docs/errors.md: error code table rewritten');
