/**
 * Exactly one link per peer. When a second authenticated link to the same peer
 * appears, both sides must keep the same one without talking about it, so the
 * choice depends only on facts both sides know:
 *  1. links to different instances of the peer (it restarted): keep the newer
 *     one; the old one is from a dead process whose socket never closed;
 *  2. otherwise keep the link dialed by the peer with the smaller id;
 *  3. both dialed by the same peer (two addresses of one host): keep the one
 *     with the smaller dialer nonce.
 */
export interface LinkFacts {
  /** The remote peer's instance id as announced in its Hello. */
  remoteInstance: string;
  dialerId: string;
  dialerNonceHex: string;
}

export function preferredLink<T extends LinkFacts>(localId: string, remoteId: string, existing: T, candidate: T): T {
  if (existing.remoteInstance !== candidate.remoteInstance) return candidate;
  const smaller = localId < remoteId ? localId : remoteId;
  const existingRight = existing.dialerId === smaller;
  const candidateRight = candidate.dialerId === smaller;
  if (existingRight !== candidateRight) return existingRight ? existing : candidate;
  return existing.dialerNonceHex <= candidate.dialerNonceHex ? existing : candidate;
}
