import { ConfigInvalidError } from '../errors.js';

/**
 * Raised when a pair cannot be compared within the comparator's budget (for example a JSON document
 * nested so deeply that diffing it would exhaust the stack). The caller records the exchange as
 * skipped with reason `comparison_budget_exceeded` instead of failing the job. Control flow, not a
 * ShadowDiffError: no person or script sees it, only the skip reason it becomes.
 */
export class ComparisonBudgetError extends Error {
  /** Short, human-readable reason, e.g. `JSON nesting too deep to diff`. */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`comparison budget exceeded: ${reason}`, options);
    this.name = 'ComparisonBudgetError';
    this.reason = reason;
  }
}

/**
 * A comparison rule that cannot be used: a path pattern that does not parse, an unknown array mode, …
 * It is a configuration error, a ConfigInvalidError with its code: rules are validated when the config
 * is loaded (validateRules), so the comparator only meets one when handed rules that skipped validation.
 * The subclass lets a caller tell a rule from the rest of the configuration.
 */
export class RuleError extends ConfigInvalidError {}
