/**
 * Where `leftsync status` finds a running node: the status token (created once,
 * mode 0600, kept across restarts so a bookmarked page address keeps working)
 * and the port the status endpoint listens on (written at start, removed at a
 * clean stop), both in the state folder.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';

export const TOKEN_FILE = 'status-token';
export const PORT_FILE = 'status-port';

export async function loadOrCreateToken(stateDir: string): Promise<string> {
  const file = path.join(stateDir, TOKEN_FILE);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 32) {
      // Whoever reads the token reads the status: keep it ours only.
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return token;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, `reading ${file}`);
  }
  const token = randomBytes(24).toString('base64url');
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, token + '\n', { mode: 0o600 });
    await rename(temp, file);
  } catch (err) {
    throw fromSystemError(err, `writing ${file}`);
  }
  return token;
}

export async function writePortFile(stateDir: string, port: number): Promise<void> {
  const file = path.join(stateDir, PORT_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${port}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch (err) {
    throw fromSystemError(err, `writing ${file}`);
  }
}

/** Removes the port file if it still names `port` (a newer node may have written its own). */
export async function removePortFile(stateDir: string, port: number): Promise<void> {
  const file = path.join(stateDir, PORT_FILE);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current.trim() === String(port)) await rm(file, { force: true });
}

export interface StatusEndpoint {
  port: number;
  token: string;
}

/** The endpoint of the node running with this state folder; LS_NOT_RUNNING when there is none. */
export async function readStatusEndpoint(stateDir: string): Promise<StatusEndpoint> {
  let portText: string;
  let token: string;
  try {
    portText = await readFile(path.join(stateDir, PORT_FILE), 'utf8');
    token = (await readFile(path.join(stateDir, TOKEN_FILE), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LeftsyncError(ErrorCode.NOT_RUNNING, `no leftsync is running with the state folder ${stateDir} (no ${PORT_FILE} file there; give --dir or --state-dir)`);
    }
    throw fromSystemError(err, `reading the status files in ${stateDir}`);
  }
  const port = Number(portText.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LeftsyncError(ErrorCode.BAD_INPUT, `${path.join(stateDir, PORT_FILE)} does not hold a port number`);
  }
  return { port, token };
}
