/**
 * The dialing side's frames, as they arrive on the wire: masked, as RFC 6455
 * requires of a client, with an all-zero key (so ws neither copies nor XORs
 * them; see zeroMask in src/transport/transport.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { PortRange } from '../helpers/ports.js';
import { captureLogsUntilStopped, startTransport } from './in-process.js';

const ports = new PortRange(28300, 28349);
captureLogsUntilStopped();

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

test('a dialed link sends its first frame masked with an all-zero key', async (t) => {
  const server = createServer();
  const firstFrame = new Promise<Buffer>((resolve) => {
    server.on('upgrade', (request, socket) => {
      const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}${WS_GUID}`).digest('base64');
      socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
      let received = Buffer.alloc(0);
      socket.on('data', (data: Buffer) => {
        received = Buffer.concat([received, data]);
        if (received.length >= 14) {
          resolve(received);
          socket.destroy();
        }
      });
    });
  });
  const listenPort = ports.take();
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  t.after(() => server.close());
  await startTransport('masked-dialer', ports.take(), { tls: null, peers: [{ host: '127.0.0.1', port: listenPort }] });
  const frame = await firstFrame;
  assert.equal(frame[0]! & 0x0f, 0x2, 'a binary frame (the handshake challenge)');
  assert.ok((frame[1]! & 0x80) !== 0, 'the mask bit is set');
  const length7 = frame[1]! & 0x7f;
  const maskAt = length7 === 126 ? 4 : length7 === 127 ? 10 : 2;
  assert.deepEqual([...frame.subarray(maskAt, maskAt + 4)], [0, 0, 0, 0], 'the masking key is all zeros');
});
