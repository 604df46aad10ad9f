// Placeholder until the chunking engine lands (issue 2); replaced by its owner.
export async function runDiff(..._args: unknown[]): Promise<void> {
  throw new Error('leftsync diff: not implemented yet');
}
