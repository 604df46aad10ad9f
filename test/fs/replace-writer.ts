/**
 * Child process for the SIGKILL test: replaces one share file over and over with
 * whole versions (each 2 MiB of one repeated byte), until it is killed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { atomicReplace } from '../../src/fs/write.js';

const [root, tmp] = [process.argv[2]!, process.argv[3]!];
for (let i = 0; ; i++) {
  const temp = path.join(tmp, `v${i}.tmp`);
  await writeFile(temp, Buffer.alloc(2 << 20, 0x61 + (i % 26)));
  await atomicReplace(root, 'victim.bin', temp, { mode: 0o644 });
  process.stdout.write(`${i}\n`);
}
