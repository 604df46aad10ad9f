/**
 * The name a losing version is kept under after a conflict. Every peer derives
 * it from the loser alone (its mtime, in UTC, and its author), so all peers agree
 * on it without talking: `name.sync-conflict-YYYYMMDD-HHMMSS-<peer>.ext`.
 */

/** Characters of a peer id used in conflict names. */
export const SHORT_PEER_LENGTH = 7;

export function shortPeerId(peerId: string): string {
  return peerId.slice(0, SHORT_PEER_LENGTH);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "YYYYMMDD-HHMMSS" of an epoch-ms time, in UTC. */
export function conflictStamp(mtimeMs: number): string {
  const d = new Date(Math.floor(mtimeMs));
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/**
 * `dir/name.ext` -> `dir/name.sync-conflict-<stamp>-<peer>.ext`. The extension is
 * the part after the last dot of the base name; a dotfile's leading dot does not
 * start an extension (`.bashrc` has none), so the file keeps opening with the same
 * program.
 */
export function conflictName(path: string, loserMtimeMs: number, loserModifiedBy: string): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const hasExt = dot > 0 && dot < base.length - 1 && base.slice(0, dot).replace(/^\.+/, '') !== '';
  const stem = hasExt ? base.slice(0, dot) : base;
  const ext = hasExt ? base.slice(dot) : '';
  return `${dir}${stem}.sync-conflict-${conflictStamp(loserMtimeMs)}-${shortPeerId(loserModifiedBy)}${ext}`;
}
