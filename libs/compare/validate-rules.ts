/**
 * Validate comparison rules as they come from the config file (YAML), with the schema of
 * ./rules-schema.ts. Every problem is reported (not only the first), each prefixed with `where` and
 * the place in the rules, e.g. `rules.endpoints["GET /users/:id"].tolerance[0]: needs absolute
 * and/or relative`. Unknown keys are errors (a misspelt `tolerence` would otherwise silently do
 * nothing). `undefined` and `null` are no rules. The returned rules hold only the valid parts,
 * normalized (see the schema).
 */
import { issueLines, withoutInvalid } from '../values/schema-issues.js';
import type { ComparisonRules } from './rules.js';
import { comparisonRulesSchema } from './rules-schema.js';

export function validateRules(rules: unknown, where: string): { rules: ComparisonRules; errors: string[] } {
  if (rules === undefined || rules === null) return { rules: {}, errors: [] };
  const parsed = comparisonRulesSchema.safeParse(rules);
  if (parsed.success) return { rules: parsed.data, errors: [] };
  const errors = issueLines(parsed.error.issues, where);
  // The valid parts: the same input without what the problems point at.
  const valid = comparisonRulesSchema.safeParse(withoutInvalid(rules, parsed.error.issues));
  return { rules: valid.success ? valid.data : {}, errors };
}
