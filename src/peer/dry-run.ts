/**
 * --dry-run: what the appliers would do, without doing it. The node runs its
 * sessions plan-only (they store what the peers announce and apply nothing; see
 * SessionOptions.planOnly); once each linked peer's first full Index is stored,
 * every entry stored for it is decided against our index by the pure
 * reconciler, the way Applier.apply decides, and reported as a PlanItem.
 * Nothing here writes anywhere.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import { checkRelativePath } from '../fs/paths.js';
import type { IndexEntry, SyncIndex } from '../model/entries.js';
import { reconcile, replacesFolder, sameContent, type ApplyAction } from '../reconcile/reconcile.js';
import type { Session } from './session-types.js';

/** One thing a real run would do to the share (`peer`: whose entry asks for it). */
export type PlanItem =
  | { action: 'pull'; peer: string; path: string; size: number; replaces: boolean }
  | { action: 'delete'; peer: string; path: string; kind: IndexEntry['type'] }
  | { action: 'mkdir'; peer: string; path: string }
  | { action: 'symlink'; peer: string; path: string; target: string }
  | { action: 'conflict'; peer: string; path: string; keptAs: string; winner: string }
  | { action: 'keep-folder'; peer: string; path: string };

/**
 * What applying `remote` would do now, as Applier.apply decides it. Metadata-only
 * steps (same bytes, a folder's mode, a newer tombstone of something absent) are
 * left out: they change no file's content and create or remove nothing.
 */
export function planEntry(index: SyncIndex, peer: string, remote: IndexEntry): PlanItem[] {
  const { path } = remote;
  const local = index.get(path);
  const below = replacesFolder(local, remote) ? index.listUnder(path).map((l) => ({ local: l, remote: index.remoteEntry(peer, l.path) })) : [];
  const decision = reconcile(local, remote, below);
  const carry = (action: ApplyAction, freed: boolean): PlanItem[] => {
    const live = !freed && local !== undefined && !local.deleted ? local : undefined;
    switch (action) {
      case 'pull':
        if (live !== undefined && live.type === 'file' && sameContent(live, remote)) return [];
        return [{ action: 'pull', peer, path, size: remote.size, replaces: live !== undefined || freed }];
      case 'mkdir':
        return live !== undefined && live.type === 'dir' ? [] : [{ action: 'mkdir', peer, path }];
      case 'symlink':
        return [{ action: 'symlink', peer, path, target: remote.symlinkTarget }];
      case 'delete':
        return live === undefined ? [] : [{ action: 'delete', peer, path, kind: live.type }];
    }
  };
  switch (decision.action) {
    case 'none':
    case 'merge':
      return [];
    case 'keep-folder':
      return [{ action: 'keep-folder', peer, path }];
    case 'conflict':
      return [{ action: 'conflict', peer, path, keptAs: decision.conflictPath, winner: remote.modifiedBy }, ...carry(decision.then, true)];
    default:
      return carry(decision.action, false);
  }
}

export interface DryRunOptions {
  /** The node's sessions now. */
  sessions(): Session[];
  index: SyncIndex;
  /** The node's ignore matcher: ignored paths are never applied, so never planned. */
  isIgnored(relPath: string, isDir: boolean): boolean;
  /** Peers named by --ip: after the first link, the others get PEER_GRACE_MS to link too. */
  expectedPeers: number;
  onItem(item: PlanItem): void;
  /** Overrides of the waits (tests). */
  linkTimeoutMs?: number;
  indexTimeoutMs?: number;
}

export interface DryRunSummary {
  /** Peers whose index was planned against. */
  peers: string[];
  /** Linked peers whose first full index did not arrive within the wait (not in the plan). */
  incomplete: string[];
  counts: Record<PlanItem['action'], number>;
  /** Sum of the sizes of the files to pull (what moves is less: chunks we hold are reused). */
  pullBytes: number;
}

/** A dry run that sees no peer link within this long gives up (LS_NO_PEER). */
export const LINK_TIMEOUT_MS = 15_000;
/** After the first link, the wait for every linked peer's first full index. */
export const INDEX_TIMEOUT_MS = 60_000;
/** After the first link, how long the other --ip peers get to link as well. */
export const PEER_GRACE_MS = 2_000;
const POLL_MS = 50;
const PAGE = 500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runDryRun(options: DryRunOptions): Promise<DryRunSummary> {
  const linkTimeout = options.linkTimeoutMs ?? LINK_TIMEOUT_MS;
  const started = Date.now();
  while (options.sessions().length === 0) {
    if (Date.now() - started > linkTimeout) {
      throw new LeftsyncError(
        ErrorCode.NO_PEER,
        `--dry-run: no peer linked within ${Math.round(linkTimeout / 1000)} s, so there is nothing to compare with (is --ip right, and is the peer running with the same secret?)`,
      );
    }
    await sleep(POLL_MS);
  }
  const linkedAt = Date.now();
  const received = new Set<string>();
  for (;;) {
    const sessions = options.sessions();
    for (const session of sessions) if (session.indexReceived) received.add(session.remotePeerId);
    const waited = Date.now() - linkedAt;
    const othersHadTime = sessions.length >= options.expectedPeers || waited > PEER_GRACE_MS;
    // A link lost before its index arrived leaves nothing to plan with: wait for it to come back.
    const anyLink = sessions.length > 0 || received.size > 0;
    if (othersHadTime && anyLink && sessions.every((session) => session.indexReceived)) break;
    if (waited > (options.indexTimeoutMs ?? INDEX_TIMEOUT_MS)) break;
    await sleep(POLL_MS);
  }
  const incomplete = options.sessions().filter((s) => !received.has(s.remotePeerId)).map((s) => s.remotePeerId);
  const summary: DryRunSummary = {
    peers: [...received],
    incomplete,
    counts: { pull: 0, delete: 0, mkdir: 0, symlink: 0, conflict: 0, 'keep-folder': 0 },
    pullBytes: 0,
  };
  for (const peer of received) {
    // Page by page, in path order: a peer's index may be far too large to hold.
    for (let after = ''; ; ) {
      const page = options.index.remoteEntriesAfter(peer, after, PAGE);
      for (const remote of page) {
        if (!isSafe(remote.path) || options.isIgnored(remote.path, remote.type === 'dir')) continue;
        for (const item of planEntry(options.index, peer, remote)) {
          summary.counts[item.action]++;
          if (item.action === 'pull') summary.pullBytes += item.size;
          options.onItem(item);
        }
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.path;
    }
  }
  return summary;
}

function isSafe(relPath: string): boolean {
  try {
    checkRelativePath(relPath);
    return true;
  } catch {
    return false;
  }
}
