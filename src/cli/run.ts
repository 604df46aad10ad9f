// Placeholder until the transport lands (issue 3); replaced by its owner.
export async function runNode(_options: Record<string, unknown>): Promise<void> {
  throw new Error('leftsync: sync is not implemented yet');
}
