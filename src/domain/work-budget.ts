/**
 * Bounded work per request. A policy evaluation's cost is not bounded by the size of its input: a
 * StringLike value with many wildcards against a long context value, a thousand context values
 * against a thousand condition values, or the policy simulator's actions × resources. So the work
 * is counted as it is done, in units of about 10 ns of CPU (a wildcard-matcher step is one unit, a
 * comparison of two values four, a statement ten: measured on a 2-core machine), against a budget,
 * and a request that exhausts it is refused with an AWS error instead of holding the event loop.
 * Units, not a clock: the same request gets the same answer on a busy machine as on an idle one.
 *
 * The default budget is about 20 ms of work, far above what real policies need (evaluating
 * AdministratorAccess for one request is about twenty units), so only pathological requests meet it.
 */
export const DEFAULT_WORK_BUDGET = 2_000_000;

export class WorkLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`evaluation work limit of ${limit} units reached`);
    this.name = 'WorkLimitExceeded';
  }
}

export class WorkBudget {
  private left: number;

  constructor(readonly limit = DEFAULT_WORK_BUDGET) {
    this.left = limit;
  }

  /** Counts `units` of work; throws WorkLimitExceeded once the budget is gone. */
  spend(units: number): void {
    this.left -= units;
    if (this.left < 0) throw new WorkLimitExceeded(this.limit);
  }

  get spent(): number {
    return this.limit - this.left;
  }
}
