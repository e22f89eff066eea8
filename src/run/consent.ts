// Asks the operator a yes/no question, only when stdin is a terminal and --yes was not given.
import readline from 'node:readline/promises';

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
