/** Rewrites services/report-api/web/api-types.js from the report API's schemas (npm run docs:web-types). */
import { writeFileSync } from 'node:fs';
import { jsdocTypes } from '../../libs/api/jsdoc-types.js';

const WEB_TYPES_FILE = new URL('./web/api-types.js', import.meta.url);

writeFileSync(WEB_TYPES_FILE, jsdocTypes());
console.log('services/report-api/web/api-types.js: rewritten');
