/**
 * Child process for the SIGKILL test: writes entries into an index as fast as it
 * can and prints the number of each committed call, until it is killed.
 */
import { createHash } from 'node:crypto';
import { openIndex } from '../../src/db/sqlite-index.js';

const stateDir = process.argv[2]!;
const index = openIndex(stateDir, 'crashy');
const sha = (text: string) => createHash('sha256').update(text).digest();

for (let i = 0; ; i++) {
  const count = (i % 40) + 1;
  const chunks = Array.from({ length: count }, (_, c) => ({ offset: c * 10, length: 10, hash: sha(`${i}/${c}`) }));
  const path = `dir${i % 7}/file-${i % 500}`;
  // size encodes the chunk count, so the reader can check entry and chunks agree.
  index.recordLocalChange(
    { path, type: 'file', size: count * 10, mtimeMs: i, mode: 0o644, digest: sha(String(i)), symlinkTarget: '', inode: i },
    chunks,
  );
  if (i % 5 === 4) index.recordLocalDeletion(`dir${(i - 1) % 7}/file-${(i - 1) % 500}`);
  process.stdout.write(`${i}\n`);
}
