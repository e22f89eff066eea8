// A plan beside in room lent by the reserve: the reserve gives the room back first, and grows again last
// from the space the run freed. Any strategy's list, wrapped.
import { step } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { act, type Action, type Listed } from './action.js';

/** What a loan does, done by the run (it owns the reserve's records and the filesystem's figures). */
export interface LoanActs {
  giveBack(): void;
  growBack(): void;
}

export interface Lent {
  loan?: LoanActs;
  /** FILE's last descriptor closed: its blocks are freed only then, and the reserve grows back into them. */
  closeSource: () => void;
}

export function withReserveLoan<C extends Lent>(steps: readonly Listed<C>[], lent: number): Listed<C>[] {
  const give: Action<C> = act(step(STEP.giveBack, steps[0].copies), { run: (c) => c.loan!.giveBack(), undo: (c) => c.loan!.growBack() });
  const grow: Action<C> = act(step(STEP.growBack, steps.at(-1)!.copies, lent), {
    run: (c) => {
      c.closeSource();
      c.loan!.growBack();
    },
  });
  return [give, ...steps, grow];
}

/** The list as planned, lent or not. */
export const loanSteps = <C extends Lent>(steps: readonly Listed<C>[], lent: number | undefined): Listed<C>[] => (lent ? withReserveLoan(steps, lent) : [...steps]);
