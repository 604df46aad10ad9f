/**
 * In-process transports on real loopback sockets, for transport tests that need
 * no separate process. Each test file passes its own port range.
 */
import { after } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { createTlsIdentity } from '../../src/transport/certificate.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { Transport, type TransportOptions } from '../../src/transport/transport.js';
import { LogCapture } from '../helpers/log-capture.js';

export const SECRET = Buffer.from('correct horse battery staple');

const started: Transport[] = [];

export async function startTransport(
  peerId: string,
  port: number,
  overrides: Partial<TransportOptions> = {},
): Promise<Transport> {
  const transport = await Transport.start({
    peerId,
    listenHost: '127.0.0.1',
    port,
    peers: [],
    secret: SECRET,
    chunker: chunkerParams('fastcdc'),
    pingIntervalMs: 200,
    pingTimeoutMs: 1_000,
    reconnectMaxMs: 300,
    handshakeTimeoutMs: 1_000,
    tls: createTlsIdentity(peerId),
    ...overrides,
  });
  started.push(transport);
  return transport;
}

export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((t) => t.stop()));
}

/**
 * Captures the log lines of a test file from now on; after its last test, every
 * transport is stopped and only then logging restored (the stops' lines are
 * captured too). Called once, at the top of the file.
 */
export function captureLogsUntilStopped(): LogCapture {
  const logs = new LogCapture();
  after(async () => {
    await stopAll();
    logs.restore();
  });
  return logs;
}

/** Polls `condition` until true (generous timeout; asserts behaviour, not speed). */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function onlyLink(t: Transport): PeerConnection | undefined {
  const links = t.connections();
  return links.length === 1 ? links[0] : undefined;
}
