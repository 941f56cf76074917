import { performance } from 'node:perf_hooks';
import type { ComparisonBudget } from './rules.js';
import { ComparisonBudgetError } from './errors.js';
import { ExactNumber } from './exact-number.js';

export const DEFAULT_BUDGET: Readonly<ComparisonBudget> = Object.freeze({ maxNodes: 2_000_000, maxMillis: 2000 });

/**
 * Keyed and unordered arrays are matched by jsondiffpatch's LCS, whose table has one cell per pair of
 * elements left after trimming the common head and tail (memory and time grow as n × m). Past this many
 * cells the pair is not compared: 4,000,000 is two reordered arrays of 2,000 elements (~32 MB of table).
 */
export const MAX_ARRAY_MATCH_CELLS = 4_000_000;

/** How many steps of a walk between two looks at the clock. */
const CLOCK_EVERY = 1024;

/**
 * The budget of one body comparison, spent as the walks go: nodes counted once each (both bodies), the
 * clock read every 1024 steps. Exceeding either throws ComparisonBudgetError.
 */
export class Budget {
  readonly maxNodes: number;
  readonly maxMillis: number;
  private readonly deadline: number;
  private nodes = 0;
  private steps = 0;

  constructor(budget: Partial<ComparisonBudget> = {}, start: number = performance.now()) {
    this.maxNodes = positive(budget.maxNodes) ?? DEFAULT_BUDGET.maxNodes;
    this.maxMillis = positive(budget.maxMillis) ?? DEFAULT_BUDGET.maxMillis;
    this.deadline = start + this.maxMillis;
  }

  /** No limit: for diffJson called on its own. */
  static unlimited(): Budget {
    return new Budget({ maxNodes: Number.POSITIVE_INFINITY, maxMillis: Number.POSITIVE_INFINITY });
  }

  /**
   * Count the nodes (values) of a parsed JSON document against maxNodes, on top of those counted
   * before (call it on both bodies before diffing them). Iterative, so deep nesting cannot overflow
   * the stack; stops as soon as the limit is passed.
   */
  countNodes(root: unknown): void {
    if (this.maxNodes === Number.POSITIVE_INFINITY) return;
    const pending: object[] = [];
    let nodes = this.nodes + 1;
    let sinceClock = 0;
    if (isContainer(root)) pending.push(root);
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const children: unknown[] = Array.isArray(next) ? next : Object.values(next);
      nodes += children.length;
      if (nodes > this.maxNodes) break;
      for (const child of children) if (isContainer(child)) pending.push(child);
      sinceClock += children.length + 1;
      if (sinceClock >= CLOCK_EVERY) {
        sinceClock = 0;
        this.checkClock();
      }
    }
    this.nodes = nodes;
    if (nodes > this.maxNodes) {
      throw new ComparisonBudgetError(`JSON nodes exceed the limit of ${this.maxNodes} (both bodies together)`);
    }
  }

  /** One more step of some walk; reads the clock every CLOCK_EVERY steps. */
  tick(): void {
    if (++this.steps % CLOCK_EVERY === 0) this.checkClock();
  }

  checkClock(): void {
    if (performance.now() > this.deadline) {
      throw new ComparisonBudgetError(`the comparison took more than ${this.maxMillis} ms`);
    }
  }

  remainingMillis(): number {
    return this.deadline - performance.now();
  }
}

/** An object or array; an ExactNumber is a leaf. */
function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof ExactNumber);
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && value > 0 && !Number.isNaN(value) ? value : undefined;
}
