/**
 * The CI cut of `npm run soak` (test/soak/soak.ts): three real peers linked
 * through relays, 40 s of seeded random operations of every kind on every peer,
 * random SIGKILLs, black-holes and resets; then everything heals, and the trees
 * must become equal and lose nothing (test/helpers/share-model.ts).
 *
 * Every operation is in, folder -> file swaps included, and convergence, nothing
 * lost, nothing that came back and no crash are asserted (the bugs the soak found
 * have their own fast tests: test/soak/dir-becomes-file.test.ts and
 * test/soak/deleted-after-conflict.test.ts).
 * The peers' logs stay out of the output unless it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortRange } from '../helpers/ports.js';
import { runSoak, summary } from '../soak/soak.js';

const SEED = process.env.LEFTSYNC_SOAK_SEED ? Number(process.env.LEFTSYNC_SOAK_SEED) : 20261201;

test(`soak: 3 peers, 40 s of random operations, kills and link cuts converge with nothing lost (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  const result = await runSoak({ seed: SEED, seconds: 40, ports: new PortRange(24700, 24719), convergeTimeoutMs: 90_000 });
  t.diagnostic(summary(result).split('\n').join('; '));
  if (!result.ok) assert.fail(`${summary(result)}\n\nlast log lines of each peer:\n${result.logTail}`);
  assert.ok(result.operations > 50, `only ${result.operations} operations`);
  assert.ok(result.kills > 0 && result.blackholes + result.resets > 0, 'no kill or no cut happened');
});
