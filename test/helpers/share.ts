/**
 * The share guard of a test share: the marker created (as a first start would)
 * and the share root's device recorded (src/fs/share-guard.ts).
 */
import { mkdir } from 'node:fs/promises';
import { ShareGuard, prepareShare } from '../../src/fs/share-guard.js';
import { createMarker } from '../../src/fs/share-marker.js';

export async function guardOf(shareDir: string, stateDir: string): Promise<ShareGuard> {
  await mkdir(shareDir, { recursive: true });
  await createMarker(shareDir);
  const device = await prepareShare(shareDir, stateDir);
  return new ShareGuard({ shareDir, stateDir, device });
}
