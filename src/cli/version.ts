// The version from package.json, put in at build time by the bundler, and the runtime it runs on.
import { isSea } from 'node:sea';
declare const __VERSION__: string | undefined;

export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** --version's second line: which Node runs this, and whether it is the one built into a single executable. */
export const runtime = (): string => `${isSea() ? 'single executable, ' : ''}node ${process.version}`;
