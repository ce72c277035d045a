// How much bounded work (order cancellations, holders paid) one command may do, so that no append grows with the
// number of holders or orders: what is left waits for the commands after it.

/**
 * Cancellations and payouts one command may emit (each ~250-400 bytes in the log): 1,000 keep an append near 0.4 MB,
 * under the 1 MiB a single EventStoreDB append may take, whatever the number of holders.
 */
export const WORK_BUDGET = 1_000;

/** What is left of a command's budget (shared by every market the command settles or closes). */
export class WorkBudget {
  constructor(public left: number = WORK_BUDGET) {}
  /** Takes one unit; false when none is left. */
  take(): boolean {
    if (this.left <= 0) return false;
    this.left -= 1;
    return true;
  }
}
