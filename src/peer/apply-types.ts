/**
 * What an applier is given and what one apply step comes to: shared by the
 * applier and the batch steps it hands work to (apply-deletions.ts,
 * local-moves.ts), which must not import the applier itself.
 */
import type { Logger } from '../log.js';
import type { ShareCheck } from '../fs/share-guard.js';
import type { SyncIndex } from '../model/entries.js';
import type { ScanLock } from '../scanner/scan-lock.js';
import type { PeerEvents } from '../status/peer-events.js';
import type { DiskFull } from '../transfer/disk-full.js';
import type { Puller } from '../transfer/puller.js';

export interface ApplierOptions {
  index: SyncIndex;
  /** The peer whose announced entries this applier applies (what it has seen decides a folder's fate). */
  remotePeerId: string;
  shareDir: string;
  puller: Puller;
  /** Applied files, folders, links, deletions and conflicts, for the status API and --json. */
  events: PeerEvents;
  /** Rescans these share paths into the index (the scanner). */
  rescan(paths: string[]): Promise<void>;
  /** Held by every change-then-record step, so no scan runs in between. */
  scanLock: ScanLock;
  /** Asked before a download and inside every change-then-record step: a missing share is never written into. */
  share: ShareCheck;
  /** Downloads wait for room and leave no partial on a full disk. */
  disk: DiskFull;
  log: Logger;
}

/**
 * 'applied': the index changed (announce it). 'unchanged': nothing to do.
 * 'rescanned': the local side changed under us; reconcile this path again.
 * 'waiting': the source no longer has that version; its next update will come.
 * 'blocked': could not apply yet (e.g. a folder that still has content); retry later.
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'rescanned' | 'waiting' | 'blocked';
