// Lets steps that churn through large temporary buffers hand them back to the system promptly.
// Node frees a Buffer's memory only when V8 collects, and V8 waits for ~64 MiB of external growth:
// with the file and its .gz already in memory, that lag is what pushes peak RSS over budget.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A full collection; the JavaScript heap is small (data lives in Buffers), so this takes milliseconds. */
export const collectGarbage = (): void => gc();
