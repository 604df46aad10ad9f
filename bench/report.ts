/**
 * The output of `npm run bench`: one markdown table (leftsync and rsync side by
 * side, ratios, peak RSS and CPU per process, goals met / MISSED), a machine
 * line, and the same figures as JSON for --out.
 */
import { cpus, release } from 'node:os';
import type { RowResult, Side } from './pair.js';

const KiB = 1024;
const MiB = KiB * KiB;

export function human(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 10 * MiB) return `${(bytes / MiB).toFixed(0)} MiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(2)} MiB`;
  if (bytes >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || !Number.isFinite(ours) || !Number.isFinite(theirs) || theirs <= 0) return 'n/a';
  return `${(ours / theirs).toFixed(2)}x`;
}

function seconds(side: Side | null, text: string | undefined): string {
  if (text !== undefined) return text;
  return side ? `${side.seconds.toFixed(2)} s` : 'n/a';
}

/** "A 61 / B 70" style: one figure per process, short names. */
function perProcess(side: Side | null, figure: (p: Side['procs'][number]) => string): string {
  if (!side) return '-';
  return side.procs.map((p) => `${shortName(p.name)} ${figure(p)}`).join(' / ');
}

function shortName(name: string): string {
  return name
    .replace(/^leftsync /, '')
    .replace(/ \(sender\)| \(receiver\)/, '')
    .replace('rsync client', 'cl')
    .replace('rsync daemon side', 'dm')
    .replace('(restarted)', 'restarted')
    .replace('(killed)', 'killed');
}

const mb = (bytes: number): string => (Number.isFinite(bytes) ? (bytes / 1e6).toFixed(0) : '?');
const cpu = (s: number): string => (Number.isFinite(s) ? s.toFixed(2) : '?');

function goals(r: RowResult): string {
  if (r.error !== undefined) return `ERROR: ${r.error.split('\n')[0]}`;
  return r.goals.map((g) => `${g.text}: ${g.met === null ? 'n/a' : g.met ? 'met' : 'MISSED'}`).join('; ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function markdownTable(rows: RowResult[]): string {
  const header = ['row', 'leftsync', 'rsync', 'time ratio', 'wire leftsync', 'wire rsync (kernel / --stats)', 'wire ratio', 'peak RSS MB leftsync', 'peak RSS MB rsync', 'CPU s leftsync', 'CPU s rsync', 'goals'];
  const body = rows.map((r) => [
    `${r.name}: ${r.title}`,
    r.error !== undefined ? 'error' : seconds(r.leftsync, r.leftsyncText),
    r.rsync ? seconds(r.rsync, r.rsyncText) : 'n/a',
    ratio(r.leftsync?.seconds, r.rsync?.seconds),
    human(r.leftsync?.wireBytes),
    r.rsync ? `${human(r.rsync.wireBytes)} / ${human(r.rsync.statsBytes)}` : 'n/a',
    ratio(r.leftsync?.wireBytes, r.rsync?.wireBytes),
    perProcess(r.leftsync, (p) => mb(p.peakRss)),
    perProcess(r.rsync, (p) => mb(p.peakRss)),
    perProcess(r.leftsync, (p) => cpu(p.cpuSeconds)),
    perProcess(r.rsync, (p) => cpu(p.cpuSeconds)),
    goals(r),
  ].map(cell));
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:'))), ...body.map(line)].join('\n');
}

export function machineLine(): string {
  const cores = cpus();
  return `${new Date().toISOString()}; node ${process.version}; ${cores.length} cores (${cores[0]?.model.trim() ?? '?'}); Linux ${release()}`;
}

export function notes(rows: RowResult[]): string[] {
  return rows.flatMap((r) => r.notes.map((n) => `- ${r.name}: ${n}`));
}

export function json(rows: RowResult[], options: Record<string, unknown>, table: string): string {
  // NaN is not JSON: written as null.
  return JSON.stringify({ machine: machineLine(), options, table, rows }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}
