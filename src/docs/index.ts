// What scripts/build-docs.mjs renders at build time: the option definitions and the documents made from them.
export { commandLine } from '../cli/program.js';
export { bashCompletion, zshCompletion } from './completion.js';
export { manPage } from './man-page.js';
