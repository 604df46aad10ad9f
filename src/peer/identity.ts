/**
 * This node's peer id: created once (16 random hex characters) and kept in the
 * state folder, so peers recognise a restarted node as the same peer.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';

export const PEER_ID_FILE = 'peer-id';
const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function newPeerId(): string {
  return randomBytes(8).toString('hex');
}

/** Reads the peer id from `stateDir`, creating it on first start. */
export async function loadOrCreatePeerId(stateDir: string): Promise<string> {
  const file = join(stateDir, PEER_ID_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (!PEER_ID_PATTERN.test(stored)) {
      throw new LeftsyncError(ErrorCode.BAD_INPUT, `${file} does not hold a valid peer id; delete it to get a new one`);
    }
    return stored;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, `reading ${file}`);
  }
  const id = newPeerId();
  try {
    await mkdir(stateDir, { recursive: true });
    // Write then rename: a crash never leaves a half-written id behind.
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, id + '\n', { mode: 0o600 });
    await rename(temp, file);
  } catch (err) {
    throw fromSystemError(err, `writing ${file}`);
  }
  return id;
}
