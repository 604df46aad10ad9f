/**
 * A sync node for end-to-end tests of the sync engine over the real transport,
 * in its own process: identity, SQLite index, scanner (polling, no watcher),
 * and a SessionSet on every authenticated link. Stands in for the node
 * integration until src/peer/node.ts wires the engine itself.
 *
 * Usage: node sync-driver.js SHARE_DIR PORT PEER_PORTS ('-' for none, else comma-separated)
 * Prints "PORT <n>" once listening. Logs JSON to stderr (LEFTSYNC_LOG_FORMAT=json).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chunkerParams } from '../../src/chunker/index.js';
import { DEFAULTS } from '../../src/config.js';
import { openIndex } from '../../src/index/index.js';
import { loadOrCreatePeerId } from '../../src/peer/identity.js';
import { startNode } from '../../src/peer/node.js';
import { SessionSet } from '../../src/peer/sessions.js';
import { createScanner } from '../../src/scanner/index.js';
import { cleanStalePartials } from '../../src/transfer/partials.js';

const [shareDir, portArg, peerArg] = process.argv.slice(2);
if (!shareDir || !portArg || !peerArg) throw new Error('usage: sync-driver SHARE_DIR PORT PEER_PORTS');
const stateDir = path.join(shareDir, '.leftsync');
await mkdir(stateDir, { recursive: true });
const peerId = await loadOrCreatePeerId(stateDir);
const index = openIndex(stateDir, peerId);
await cleanStalePartials(index, stateDir);
const scanner = await createScanner({ shareDir, stateDir, index, params: chunkerParams() });
await scanner.scanAll();
const sessions = new SessionSet({
  index,
  shareDir,
  stateDir,
  rescan: async (paths) => {
    await scanner.scanPaths(paths);
    sessions.announceAll();
  },
  isIgnored: (relPath, isDir) => scanner.ignore.ignores(relPath, isDir),
  statsLogIntervalMs: 500,
});
const peers = peerArg === '-' ? [] : peerArg.split(',').map((p) => ({ host: '127.0.0.1', port: Number(p) }));
const node = await startNode(
  { ...DEFAULTS, shareDir, stateDir, listenHost: '127.0.0.1', port: Number(portArg), peers, secret: Buffer.from('e2e-secret'), insecure: false, reconnectMaxMs: 300 },
  { onConnection: (conn) => sessions.attach(conn) },
);
process.stdout.write(`PORT ${node.port}\n`);
let scanning = false;
setInterval(() => {
  if (scanning) return;
  scanning = true;
  scanner
    .scanAll()
    .then((result) => {
      if (result.changed.length > 0) sessions.announceAll();
    })
    .finally(() => (scanning = false));
}, 200);
process.on('SIGTERM', () => {
  sessions.closeAll();
  void node.stop().finally(() => {
    index.close();
    process.exit(0);
  });
});
