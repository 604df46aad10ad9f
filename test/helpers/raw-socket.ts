/**
 * The cheapest possible hostile client: one TCP connection that sends the
 * WebSocket upgrade request and one binary message in a single write, answers
 * the server's close frame, and reports the close status and reason. Used to
 * push tens of thousands of fuzz frames through a live peer quickly.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

const UPGRADE =
  'GET /leftsync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A masked client->server WebSocket frame. */
export function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
    : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), bigEndian64(length)]);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, body]);
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export interface SocketOutcome {
  /** HTTP status of the upgrade answer (101 when upgraded). */
  httpStatus: number;
  /** WebSocket close status sent by the server, 0 if none. */
  closeStatus: number;
  closeReason: string;
}

/** A connection to 127.0.0.1:port, TLS (any certificate) unless `tls` is false; emits 'connect' when usable. */
export function openSocket(port: number, tls = true): ReturnType<typeof connect> {
  if (!tls) return connect(port, '127.0.0.1');
  const socket = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false });
  socket.once('secureConnect', () => socket.emit('connect'));
  return socket;
}

/** Sends one binary message on a fresh connection; resolves when the server has closed it. */
export function sendOnFreshSocket(port: number, message: Uint8Array, timeoutMs = 10_000, tls = true): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const socket = openSocket(port, tls);
    let received = Buffer.alloc(0);
    const outcome: SocketOutcome = { httpStatus: 0, closeStatus: 0, closeReason: '' };
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('server did not close the connection in time'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(UPGRADE), clientFrame(0x2, message)])));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      outcome.httpStatus = Number(received.subarray(9, 12).toString());
      const frames = received.subarray(headerEnd + 4);
      if (answered || frames.length < 2) return;
      const opcode = frames[0] & 0x0f;
      const length = frames[1] & 0x7f; // close frames are < 126 bytes
      if (opcode !== 0x8 || frames.length < 2 + length) return;
      if (length >= 2) {
        outcome.closeStatus = frames.readUInt16BE(2);
        outcome.closeReason = frames.subarray(4, 2 + length).toString();
      }
      answered = true;
      socket.write(clientFrame(0x8, frames.subarray(2, 4)));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}
