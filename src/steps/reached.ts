// How the code of a step says which planned step it has reached. The run's trace of its plan listens
// (report/steps-taken.ts): the steps, below it, only announce. Each job has its own listener (files of
// -r run side by side), carried by its async context.
import { AsyncLocalStorage } from 'node:async_hooks';

type Listener = (name: string) => void;

const ears = new AsyncLocalStorage<{ listener?: Listener }>();
/** Outside any job's context (unit tests), one shared. */
const shared: { listener?: Listener } = {};
const ear = () => ears.getStore() ?? shared;

/** Marks the start of the named step; outside a planned run (a resume, -d) nobody listens and it does nothing. */
export function reached(name: string): void {
  ear().listener?.(name);
}

/** Who hears reached() from now on in this context; undefined to stop. */
export function listen(listener: Listener | undefined): void {
  ear().listener = listener;
}

/** Runs fn in a context of its own, so that what it listens to is heard from its steps alone. */
export const apart = <T>(fn: () => Promise<T>): Promise<T> => ears.run({}, fn);
