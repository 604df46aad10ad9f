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
