import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LogFields, Logger } from '../../src/log.js';
import { Admission, DEFAULT_ADMISSION } from '../../src/transport/admission.js';
import { TLS_CERT_FILE, TLS_KEY_FILE, createTlsIdentity, loadOrCreateTlsIdentity } from '../../src/transport/certificate.js';
import { FailureLog } from '../../src/transport/failure-log.js';

const limits = { ...DEFAULT_ADMISSION, maxPending: 6, maxPendingPerAddress: 3 };

test('admission: a full address evicts its own oldest; a full table evicts from the heaviest address', () => {
  const slots = new Admission<string>(limits);
  for (const id of ['x1', 'x2', 'x3']) assert.deepEqual(slots.admit('x', id, 0), { admitted: true, evicted: [] });
  assert.deepEqual(slots.admit('x', 'x4', 0), { admitted: true, evicted: ['x1'] }, 'per-address cap: oldest of that address');
  assert.equal(slots.pendingFrom('x'), 3);
  slots.admit('y', 'y1', 0);
  slots.admit('y', 'y2', 0);
  slots.admit('z', 'z1', 0);
  assert.equal(slots.pendingCount, 6);
  assert.deepEqual(slots.admit('w', 'w1', 0), { admitted: true, evicted: ['x2'] }, 'global cap: from the address holding the most');
  slots.release('y', 'y1');
  slots.release('y', 'y1'); // idempotent
  assert.equal(slots.pendingCount, 5);
});

test('admission: failures are free until the score passes freeFailures, then bar the address for a doubling time', () => {
  const slots = new Admission<string>({ ...limits, freeFailures: 3, forgiveMs: 1_000, baseBlockMs: 500, maxBlockMs: 4_000 });
  for (let i = 0; i < 3; i++) assert.equal(slots.failed('x', 0), 0);
  assert.equal(slots.failed('x', 0), 500, 'fourth failure at once: barred');
  assert.deepEqual(slots.admit('x', 'x1', 100), { admitted: false, blockedForMs: 400 });
  assert.equal(slots.admit('y', 'y1', 100).admitted, true, 'other addresses unaffected');
  assert.equal(slots.failed('x', 600), 1_000, 'still over: the bar doubles');
  assert.equal(slots.failed('x', 600), 2_000);
  assert.equal(slots.failed('x', 600), 4_000);
  assert.equal(slots.failed('x', 600), 4_000, 'capped');
  // A misconfigured peer failing once every 2 s is forgiven faster than it fails.
  const slow = new Admission<string>({ ...limits, freeFailures: 3, forgiveMs: 1_000 });
  for (let t = 0; t < 100_000; t += 2_000) assert.equal(slow.failed('m', t), 0);
  // An authenticated link clears the record.
  slots.succeeded('x');
  assert.equal(slots.admit('x', 'x2', 700).admitted, true);
});

function recordingLogger(lines: Array<[string, string, LogFields]>): Logger {
  const at = (level: string) => (event: string, fields: LogFields = {}) => void lines.push([level, event, fields]);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

test('failure log: one line per key, repeats counted into one summary per window, then a quiet window ends the streak', () => {
  const lines: Array<[string, string, LogFields]> = [];
  let now = 0;
  const failures = new FailureLog(recordingLogger(lines), { windowMs: 60_000, now: () => now });
  for (let i = 0; i < 2_000; i++) failures.report('in|auth.failed|10.0.0.9|LS_AUTH_FAILED', 'auth.failed', { address: `10.0.0.9:${1000 + i}`, peer: `p${i}`, code: 'LS_AUTH_FAILED', reason: 'x' });
  const shown = () => lines.filter(([level]) => level !== 'debug');
  assert.equal(shown().length, 1);
  now = 60_000;
  failures.flush();
  assert.equal(shown().length, 2);
  assert.deepEqual(shown()[1].slice(0, 2), ['warn', 'failures.repeated']);
  assert.equal(shown()[1][2].count, 1_999);
  assert.equal(shown()[1][2].event, 'auth.failed');
  now = 120_000;
  failures.flush(); // a window without repeats: streak over, no line
  assert.equal(shown().length, 2);
  failures.report('in|auth.failed|10.0.0.9|LS_AUTH_FAILED', 'auth.failed', { address: '10.0.0.9:1', code: 'LS_AUTH_FAILED' });
  assert.equal(shown().length, 3, 'news again');
  failures.stop();
});

test('failure log: more keys than maxKeys fold into one per event', () => {
  const lines: Array<[string, string, LogFields]> = [];
  const failures = new FailureLog(recordingLogger(lines), { maxKeys: 10 });
  for (let i = 0; i < 1_000; i++) failures.report(`in|conn.refused|10.0.${i >> 8}.${i & 255}|X`, 'conn.refused', { address: `10.0.${i >> 8}.${i & 255}:1` });
  assert.equal(lines.filter(([level]) => level !== 'debug').length, 11);
  failures.stop();
});

test('certificate: created once in the state folder, reloaded unchanged, key private', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leftsync-cert-'));
  try {
    const first = await loadOrCreateTlsIdentity(dir);
    const again = await loadOrCreateTlsIdentity(dir);
    assert.equal(again.fingerprint, first.fingerprint);
    assert.equal(readFileSync(join(dir, TLS_CERT_FILE), 'utf8'), first.cert);
    assert.equal(statSync(join(dir, TLS_KEY_FILE)).mode & 0o077, 0, 'key file 0600');
    const x509 = new X509Certificate(first.cert);
    assert.ok(x509.checkPrivateKey(createPrivateKey(first.key)));
    assert.ok(x509.verify(x509.publicKey), 'self-signed signature verifies');
    assert.notEqual(createTlsIdentity().fingerprint, first.fingerprint);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
