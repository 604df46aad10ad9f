/**
 * `leftsync status`: asks the node running with this state folder (the same
 * working directory, --dir or --state-dir) for /rest/status and prints it for a
 * person; --json prints the object as the API returns it; --url prints the
 * status page's address with its token.
 */
import { resolve } from 'node:path';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { readStatusEndpoint } from '../status/state-files.js';
import { STATUS_HOST } from '../status/server.js';
import type { NodeStatus } from '../status/tracker.js';

export interface StatusOptions {
  dir?: string;
  stateDir?: string;
  json?: boolean;
  url?: boolean;
}

export async function runStatus(options: StatusOptions): Promise<void> {
  const stateDir = resolve(options.stateDir ?? resolve(options.dir ?? './share', '.leftsync'));
  const { port, token } = await readStatusEndpoint(stateDir);
  const base = `http://${STATUS_HOST}:${port}`;
  if (options.url) {
    process.stdout.write(`${base}/?token=${encodeURIComponent(token)}\n`);
    return;
  }
  let res: Response;
  try {
    res = await fetch(`${base}/rest/status`, { headers: { 'x-api-key': token }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new LeftsyncError(ErrorCode.NOT_RUNNING, `no leftsync answers on ${base} (state folder ${stateDir}): is it running?`, { cause: err });
  }
  if (!res.ok) throw new LeftsyncError(ErrorCode.STATUS_UNAUTHORIZED, `${base}/rest/status answered ${res.status}: ${await res.text()}`);
  const status = (await res.json()) as NodeStatus;
  process.stdout.write(options.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status, Date.now()));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

/** The status for a person, one fact per line. */
export function formatStatus(status: NodeStatus, now: number): string {
  const lines: string[] = [];
  lines.push(`leftsync ${status.peerId.slice(0, 7)}  share ${status.share}`);
  lines.push(status.peers.length === 0 ? 'peers: none linked yet' : 'peers:');
  for (const p of status.peers) {
    const rtt = p.rttMs === null ? 'rtt -' : `rtt ${p.rttMs} ms`;
    lines.push(`  ${p.peer.slice(0, 7)}  ${p.linked ? 'linked' : 'lost  '}  ${p.address}  ${rtt}  last seen ${ago(p.lastSeen, now)}  sent ${formatBytes(p.bytesSent)}  received ${formatBytes(p.bytesReceived)}`);
  }
  if (status.dialing.length > 0) lines.push(`dialing: ${status.dialing.join(', ')}`);
  lines.push(`pending: ${status.pending.files} file${status.pending.files === 1 ? '' : 's'}`);
  if (status.transfers.length > 0) lines.push('transfers:');
  for (const t of status.transfers) {
    const pct = t.size === 0 ? 100 : Math.floor((t.bytesDone / t.size) * 100);
    lines.push(`  ${t.path} from ${t.peer.slice(0, 7)}  ${pct}% (${formatBytes(t.bytesDone)} of ${formatBytes(t.size)})`);
  }
  const t = status.totals;
  lines.push(`synced: ${t.filesSynced} files, ${t.foldersSynced} folders, ${t.deleted} deletions; received ${formatBytes(t.bytesReceived)}, saved ${formatBytes(t.bytesSaved)}; ${t.localChanges} local changes`);
  lines.push(`conflicts: ${t.conflicts}`);
  for (const c of status.conflicts) lines.push(`  ${c.path} -> ours kept as ${c.keptAs} (${c.time})`);
  return lines.join('\n') + '\n';
}
