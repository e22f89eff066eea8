// Types of the workbench's log generator, for the spec that checks the judge.
export const FILE_BYTES: number;
export function logContent(nonce: string, bytes?: number): Buffer;
