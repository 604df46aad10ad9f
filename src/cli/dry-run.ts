/**
 * `leftsync --dry-run`: the plan, one line per item on stdout (with --json one
 * JSON object per line, the PlanItem as is), and a summary on stderr. Paths come
 * from peers, so control and bidi characters are escaped as in the logs.
 */
import { createLogger, escapeUnsafe } from '../log.js';
import type { DryRunSummary, PlanItem } from '../peer/dry-run.js';

const log = createLogger('cli');

/** The text line of one item: the action in a column, then the path and what it means. */
export function formatPlanItem(item: PlanItem): string {
  const head = `${item.action.padEnd(11)} ${item.path}`;
  switch (item.action) {
    case 'pull':
      return escapeUnsafe(`${head} (${item.size} bytes${item.replaces ? ', replaces ours' : ', new'})`);
    case 'delete':
      return escapeUnsafe(`${head} (${item.kind === 'dir' ? 'folder' : item.kind})`);
    case 'mkdir':
      return escapeUnsafe(head);
    case 'symlink':
      return escapeUnsafe(`${head} -> ${item.target}`);
    case 'conflict':
      return escapeUnsafe(`${head} (changed on both sides: ours would be kept as ${item.keptAs})`);
    case 'keep-folder':
      return escapeUnsafe(`${head} (our folder holds content the peer has not seen: it stays, the peer's file becomes a conflict copy)`);
  }
}

let stdoutGone = false;

/** Prints each item as it is planned. */
export function planPrinter(json: boolean): (item: PlanItem) => void {
  // A reader that went away (`leftsync --dry-run | head`) ends the printing, not the run.
  process.stdout.on('error', () => {
    stdoutGone = true;
  });
  return (item) => {
    if (!stdoutGone) process.stdout.write((json ? escapeUnsafe(JSON.stringify(item)) : formatPlanItem(item)) + '\n');
  };
}

export function logDryRunSummary(summary: DryRunSummary, shareDir: string): void {
  if (summary.incomplete.length > 0) {
    log.warn('dryrun.incomplete', {
      peers: summary.incomplete,
      msg: "these peers' indexes did not arrive in time: what they would send is not in the plan",
    });
  }
  const { counts } = summary;
  log.info('dryrun.done', {
    peers: summary.peers.length,
    ...counts,
    pullBytes: summary.pullBytes,
    msg: `dry run: ${counts.pull} to pull (${summary.pullBytes} bytes at most), ${counts.delete} to delete, ${counts.mkdir} folders and ${counts.symlink} links to create, ${counts.conflict} conflicts; nothing was changed in ${shareDir}`,
  });
}
