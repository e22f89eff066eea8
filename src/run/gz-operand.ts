// Finds a compressed operand as gzip -d, -t and -l do: `app.log` names app.log.gz when only that exists.
import { probeFile, type FileFacts } from '../probe/file.js';

export function probeGzOperand(file: string, suffix: string): FileFacts {
  const facts = probeFile(file);
  if (facts.kind !== 'missing' || file.endsWith(suffix)) return facts;
  const withSuffix = probeFile(`${file}${suffix}`);
  return withSuffix.kind === 'missing' ? facts : withSuffix;
}
