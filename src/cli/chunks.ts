// Placeholder until the chunking engine lands (issue 2); replaced by its owner.
export async function runChunks(..._args: unknown[]): Promise<void> {
  throw new Error('leftsync chunks: not implemented yet');
}
