/**
 * Peer addresses from --ip: "host" or "host:port" (IPv6 as "[::1]:port"),
 * comma-separated; a missing port means the default port.
 */
import type { PeerAddress } from '../config.js';
import { ErrorCode, LeftsyncError } from '../errors.js';

function parsePort(text: string, item: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new LeftsyncError(ErrorCode.USAGE, `--ip: bad port in "${item}" (expected 1-65535)`);
  }
  return port;
}

export function parsePeerAddress(item: string, defaultPort: number): PeerAddress {
  const text = item.trim();
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    return { host: bracketed[1], port: bracketed[2] === undefined ? defaultPort : parsePort(bracketed[2], text) };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) {
    if (text === '' || /[\s/]/.test(text)) throw new LeftsyncError(ErrorCode.USAGE, `--ip: bad host "${item}"`);
    return { host: text, port: defaultPort };
  }
  if (colons === 1) {
    const [host, port] = text.split(':');
    if (host === '' || /[\s/]/.test(host)) throw new LeftsyncError(ErrorCode.USAGE, `--ip: bad host "${item}"`);
    return { host, port: parsePort(port, text) };
  }
  // A bare IPv6 address: no port possible without brackets.
  return { host: text, port: defaultPort };
}

/** Parses the --ip list; duplicates are dropped. */
export function parsePeerList(value: string | undefined, defaultPort: number): PeerAddress[] {
  if (value === undefined || value.trim() === '') return [];
  const seen = new Set<string>();
  const peers: PeerAddress[] = [];
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const address = parsePeerAddress(item, defaultPort);
    const key = formatAddress(address);
    if (!seen.has(key)) {
      seen.add(key);
      peers.push(address);
    }
  }
  return peers;
}

export function formatAddress(address: PeerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
