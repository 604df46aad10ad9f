import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildConfig, resolveSecret } from '../../src/cli/run.js';
import { DEFAULT_PORT } from '../../src/config.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { PEER_ID_FILE, loadOrCreatePeerId } from '../../src/peer/identity.js';

const dir = mkdtempSync(join(tmpdir(), 'leftsync-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const code = (err: unknown): string => (err instanceof LeftsyncError ? err.code : String(err));

test('secret: --secret, then --secret-file, then LEFTSYNC_SECRET; never both flags; never empty', async () => {
  const file = join(dir, 'key');
  writeFileSync(file, 'from-file\n');
  chmodSync(file, 0o600);
  const env = { LEFTSYNC_SECRET: 'from-env' };
  assert.equal((await resolveSecret({ secret: 'flag' }, env))!.toString(), 'flag');
  assert.equal((await resolveSecret({ secretFile: file }, env))!.toString(), 'from-file', 'trailing newline dropped');
  assert.equal((await resolveSecret({}, env))!.toString(), 'from-env');
  assert.equal(await resolveSecret({}, {}), null);
  await assert.rejects(resolveSecret({ secret: 'a', secretFile: file }, {}), (err) => code(err) === ErrorCode.USAGE);
  await assert.rejects(resolveSecret({ secret: '' }, {}), (err) => code(err) === ErrorCode.USAGE);
  await assert.rejects(resolveSecret({ secretFile: join(dir, 'missing') }, {}), (err) => code(err) === ErrorCode.BAD_INPUT);
});

test('config: no secret refuses unless --insecure; defaults and --ip parsing', async () => {
  await assert.rejects(buildConfig({ dir }, {}), (err) => code(err) === ErrorCode.NO_SECRET);
  const insecure = await buildConfig({ dir, insecure: true }, {});
  assert.equal(insecure.secret, null);
  assert.equal(insecure.insecure, true);
  const config = await buildConfig({ dir, ip: '10.0.0.1,10.0.0.2:9000', secret: 's' }, {});
  assert.equal(config.insecure, false);
  assert.equal(config.tls, true, 'TLS unless --no-tls');
  assert.equal((await buildConfig({ dir, secret: 's', tls: false }, {})).tls, false, '--no-tls (commander sets tls: false)');
  assert.equal(config.stateDir, join(dir, '.leftsync'));
  assert.deepEqual(config.peers, [{ host: '10.0.0.1', port: DEFAULT_PORT }, { host: '10.0.0.2', port: 9000 }]);
  assert.equal(config.guiPort, 0, 'the status endpoint takes any free port by default');
  assert.equal((await buildConfig({ dir, secret: 's', guiPort: 8385 }, {})).guiPort, 8385);
  assert.ok(config.pingIntervalMs <= 2_000 && config.pingTimeoutMs <= 6_000 && config.reconnectMaxMs <= 2_000, 'issue 3 default bounds');
  await assert.rejects(buildConfig({ dir, secret: 's', pingInterval: 500, pingTimeout: 400 }, {}), (err) => code(err) === ErrorCode.USAGE);
});

test('peer id: created once in the state folder, then reused', async () => {
  const state = join(dir, 'state');
  const first = await loadOrCreatePeerId(state);
  assert.match(first, /^[0-9a-f]{16}$/);
  assert.equal(await loadOrCreatePeerId(state), first);
  assert.equal(readFileSync(join(state, PEER_ID_FILE), 'utf8').trim(), first);
  writeFileSync(join(state, PEER_ID_FILE), 'not a valid id!\n');
  await assert.rejects(loadOrCreatePeerId(state), (err) => code(err) === ErrorCode.BAD_INPUT);
});
