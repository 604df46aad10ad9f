/**
 * `npm run soak [-- --seconds N] [--seed N] [--converge S] [--port P] [--keep]`:
 * the soak of test/soak/soak.ts, 300 s by default, a random seed unless one is
 * given, at most --converge s (120) for the trees to become equal at the end,
 * the peers on ports P..P+2 (24820). To tell a failure apart from two fixed ones:
 * --no-dir-to-file leaves out the swap of a folder for a file
 * (test/soak/dir-becomes-file.test.ts); --tolerate-come-back reports entries
 * that came back without failing (test/soak/deleted-after-conflict.test.ts).
 * Prints progress every 10 s and the summary; exits 1 when it fails, with the
 * path of a file holding every operation and the peers' last log lines.
 */
import { parseArgs } from 'node:util';
import { PortRange } from '../helpers/ports.js';
import { runSoak, summary } from './soak.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
    converge: { type: 'string', default: '120' },
    port: { type: 'string', default: '24820' },
    'no-dir-to-file': { type: 'boolean', default: false },
    'tolerate-come-back': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- [--seconds N] [--seed N] [--converge SECONDS] [--port FIRST] [--no-dir-to-file] [--tolerate-come-back] [--keep]');
  process.exit(2);
}
console.log(`soak: 3 peers, ${seconds} s, seed ${seed} (replay with --seed ${seed})`);
const result = await runSoak({ seed, seconds, ports: new PortRange(Number(values.port), Number(values.port) + 2), convergeTimeoutMs: Number(values.converge) * 1000, noDirToFile: values['no-dir-to-file'], tolerateComeBack: values['tolerate-come-back'], keep: values.keep, progress: (line) => console.log(line) });
console.log(summary(result));
process.exitCode = result.ok ? 0 : 1;
