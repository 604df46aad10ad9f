/**
 * The CI cut of `npm run soak` (test/soak/soak.ts): three real peers linked
 * through relays, 40 s of seeded random operations of every kind on every peer,
 * random SIGKILLs, black-holes and resets; then everything heals, and the trees
 * must become equal and lose nothing (test/helpers/share-model.ts).
 *
 * Two known leftsync bugs are kept out of its verdict (`npm run soak` still
 * fails on them): folder -> file swaps are left out (they hit a non-convergence,
 * test/soak/repro-dir-becomes-file.ts), and entries that come back are printed
 * but tolerated (a file deleted by the winner of a conflict comes back,
 * test/soak/repro-deleted-after-conflict.ts). Convergence, nothing lost and no
 * crash are asserted.
 * The peers' logs stay out of the output unless it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortRange } from '../helpers/ports.js';
import { runSoak, summary } from '../soak/soak.js';

const SEED = process.env.LEFTSYNC_SOAK_SEED ? Number(process.env.LEFTSYNC_SOAK_SEED) : 20261201;

test(`soak: 3 peers, 40 s of random operations, kills and link cuts converge with nothing lost (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  const result = await runSoak({ seed: SEED, seconds: 40, ports: new PortRange(24700, 24719), convergeTimeoutMs: 90_000, noDirToFile: true, tolerateComeBack: true });
  t.diagnostic(summary(result).split('\n').join('; '));
  if (!result.ok) assert.fail(`${summary(result)}\n\nlast log lines of each peer:\n${result.logTail}`);
  assert.ok(result.operations > 50, `only ${result.operations} operations`);
  assert.ok(result.kills > 0 && result.blackholes + result.resets > 0, 'no kill or no cut happened');
});
