/**
 * Flagger sends the webhook's metadata as a map of strings: each is read as the GET gate's
 * querystring schema types it, by the same strict rules as the querystring (strict-parameters.ts):
 * numbers as its numeric properties bound them, run names by the run-name rule (libs/values/run-name.ts) its pattern is written from. A 400 names the
 * value as `metadata.<key>`.
 */
import { gateQuerystring, runQuery, type FlaggerMetadata, type GateQuery } from '../../libs/api/index.js';
import { parseNumberText } from '../../libs/values/numbers.js';
import { isRunName } from '../../libs/values/run-name.js';
import { badParameter } from './http-errors.js';
import { numericSpecs } from './strict-parameters.js';

const NUMBERS = numericSpecs(gateQuerystring);
/** The properties that are run names (they share the run parameter's pattern). */
const RUN_NAMES = Object.entries(gateQuerystring.properties)
  .filter(([, p]) => (p as { pattern?: string }).pattern === (runQuery as { pattern?: string }).pattern)
  .map(([key]) => key as keyof GateQuery);

export function gateQueryFromMetadata(metadata: FlaggerMetadata | undefined): GateQuery {
  const m = (metadata ?? {}) as Record<string, string | undefined>;
  for (const key of RUN_NAMES) {
    const name = m[key];
    if (name !== undefined && !isRunName(name)) throw badParameter(`metadata.${key}`, `is not a run name: '${name}'`);
  }
  const query: Record<string, unknown> = {};
  for (const key of Object.keys(gateQuerystring.properties)) {
    const raw = m[key];
    const spec = NUMBERS.get(key);
    if (raw === undefined || spec === undefined) {
      query[key] = raw;
      continue;
    }
    const parsed = parseNumberText(raw, spec);
    if (!parsed.ok) throw badParameter(`metadata.${key}`, parsed.problem);
    query[key] = parsed.value;
  }
  return query as GateQuery;
}
