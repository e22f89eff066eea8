// Asks the operator a yes/no question, only when stdin is a terminal and --yes was not given.
import readline from 'node:readline/promises';
import { CmemError } from '../errors.js';
import type { Logger } from '../report/logger.js';

export type Answer = 'yes' | 'no' | 'cannot-ask';

export async function ask(question: string, yes: boolean): Promise<Answer> {
  if (yes) return 'yes';
  if (!process.stdin.isTTY) return 'cannot-ask';
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const reply = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(reply.trim()) ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

/** A loss window goes ahead only with --yes or a yes typed at a terminal; the warning comes first. */
export async function consentToWindow(warning: string, yes: boolean, log: Logger): Promise<void> {
  log.warn(warning);
  const answer = await ask('Proceed?', yes);
  if (answer === 'yes') return;
  throw new CmemError(
    'WINDOW_REFUSED',
    answer === 'no' ? 'declined at the prompt; nothing was changed' : 'this needs consent and there is no terminal to ask; nothing was changed',
    'pass --yes to accept the window, or --stash DIR on another filesystem with room',
  );
}
