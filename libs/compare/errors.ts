import { ShadowDiffError } from '../errors.js';

/**
 * Raised when a pair cannot be compared within the comparator's budget (for example a JSON document
 * nested so deeply that diffing it would exhaust the stack). The caller records the exchange as
 * skipped with reason `comparison_budget_exceeded` instead of failing the job.
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
 * It is a configuration error (`SD_ERR_CONFIG_INVALID`): rules are validated when the config is
 * loaded (validateRules), so the comparator only meets one when handed rules that skipped validation.
 */
export class RuleError extends ShadowDiffError {
  constructor(message: string) {
    super('SD_ERR_CONFIG_INVALID', message);
    this.name = 'RuleError';
  }
}
