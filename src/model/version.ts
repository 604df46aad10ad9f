/**
 * Version vectors: peer id -> number of changes that peer made. Comparing two
 * tells whether one history contains the other (one dominates) or they diverged
 * (concurrent edits). Pure functions, no I/O.
 */
import type { VersionVector } from './entries.js';

export type VersionOrder = 'equal' | 'greater' | 'lesser' | 'concurrent';

/** How `a` relates to `b`: 'greater' means a has seen everything b has, and more. */
export function compareVersions(a: VersionVector, b: VersionVector): VersionOrder {
  let aAhead = false;
  let bAhead = false;
  for (const peer of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const av = a[peer] ?? 0;
    const bv = b[peer] ?? 0;
    if (av > bv) aAhead = true;
    else if (bv > av) bAhead = true;
  }
  if (aAhead && bAhead) return 'concurrent';
  if (aAhead) return 'greater';
  if (bAhead) return 'lesser';
  return 'equal';
}

/** The smallest vector that dominates both (component-wise maximum). */
export function mergeVersions(a: VersionVector, b: VersionVector): VersionVector {
  const merged: VersionVector = { ...a };
  for (const [peer, value] of Object.entries(b)) {
    merged[peer] = Math.max(merged[peer] ?? 0, value);
  }
  return merged;
}

/**
 * The version a peer records when it applies a remote version, given the local
 * version its decision replaced (`decidedOn`; `{}` when it had no entry) and what
 * its index holds now (`stored`). It is the remote's own vector: what we had was
 * older (the union is the remote's anyway) or lost a conflict (kept under a conflict
 * name, or a deletion undone), and a loser's counters left in the winner's entry
 * would make it concurrent with every later change of the winner, e.g. a deletion
 * by the peer whose edit won would lose to its own content ("a live version beats
 * a deletion"). Only when the index moved since the decision (a local change was
 * recorded meanwhile), or the caller cannot say (`decidedOn` undefined), is the
 * stored version unioned in, so that change's counter is never reused.
 */
export function appliedVersion(
  remote: VersionVector,
  stored: VersionVector | undefined,
  decidedOn: VersionVector | undefined,
): VersionVector {
  if (stored === undefined) return { ...remote };
  if (decidedOn !== undefined && compareVersions(stored, decidedOn) === 'equal') return { ...remote };
  return mergeVersions(stored, remote);
}

/**
 * `version` with `peer`'s counter bumped past every value of it in `announced`
 * (what other peers announced for the path). Usually ours is the highest already;
 * after a lost conflict is recorded with the winner's vector (appliedVersion) it
 * may not be, and a counter that some peer holds merged with later changes must
 * not be issued again: that peer's entry would dominate our new change.
 */
export function bumpedVersion(version: VersionVector | undefined, peer: string, announced: readonly VersionVector[] = []): VersionVector {
  let highest = version?.[peer] ?? 0;
  for (const other of announced) highest = Math.max(highest, other[peer] ?? 0);
  return { ...(version ?? {}), [peer]: highest + 1 };
}

/** A path's entry: its version and what it superseded (IndexEntry.superseded). */
interface HeldVersions {
  version: VersionVector;
  superseded?: VersionVector;
}

/** Every version `held` stands for: its own and those it superseded. */
export function knownVersion(held: HeldVersions): VersionVector {
  return held.superseded === undefined ? held.version : mergeVersions(held.version, held.superseded);
}

/**
 * What a path's entry keeps as superseded once `next` replaces `previous`: the
 * union of what `previous` stood for and `next`, while that is more than `next`.
 */
export function supersededAfter(previous: HeldVersions | undefined, next: VersionVector): VersionVector | undefined {
  if (previous === undefined) return undefined;
  const union = mergeVersions(knownVersion(previous), next);
  return compareVersions(union, next) === 'equal' ? undefined : union;
}
