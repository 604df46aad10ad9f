/**
 * The share marker: a file in the share root, created on the first start, that
 * says "this folder is the share". A share whose marker is missing (a disk not
 * mounted, a folder deleted and an empty one made in its place) would otherwise
 * read as "every file was deleted" and take every peer's files with it.
 *
 * The device of the share root is recorded in the state folder beside it: a
 * share root that moved to another device (the empty mount point under an
 * unmounted disk that had a marker copied into it, a restored backup on another
 * disk) is refused the same way. To start over on purpose, delete the state
 * folder (a first start) or create the marker by hand and delete
 * <state>/share-device (the device is then recorded again).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fromSystemError } from '../errors.js';
import { lstatIfReadable, toRelativePath } from './paths.js';

/** In the share root; never synced (the ignore matcher refuses it whatever the rules say). */
export const MARKER_NAME = '.leftsync-share';
/** In the state folder: the st_dev of the share root when the marker was made or first seen. */
export const DEVICE_FILE = 'share-device';

const MARKER_TEXT =
  'This file marks the root of a leftsync share. leftsync does not scan or change a share\n' +
  'without it, so an unmounted disk or a replaced folder never reads as "everything was\n' +
  'deleted". Do not delete it; it is never synced.\n';

/** 'state folder replaced': see ShareGuard (the state folder inside the share is not the one open). */
export type ShareProblem = 'folder missing' | 'marker missing' | 'device changed' | 'state folder replaced';

export interface ShareInspection {
  problem: ShareProblem | null;
  /** Device of the share root now (null when the root is missing). */
  device: number | null;
}

/**
 * Looks at the share root and its marker against the recorded device (null: none
 * recorded yet). What cannot be looked at is not there. The lstats are synchronous:
 * the share is inspected before every apply step, and as thread-pool jobs they cost
 * the event loop ~80 ms of 4.5 s while 10,000 small files arrived (a profile of the
 * receiver, npm run bench's many row); they are dentry-cache hits.
 */
export async function inspectShare(shareDir: string, recordedDevice: number | null): Promise<ShareInspection> {
  const root = lstatIfReadable(shareDir);
  if (!root?.isDirectory()) return { problem: 'folder missing', device: null };
  const marker = lstatIfReadable(path.join(shareDir, MARKER_NAME));
  if (!marker?.isFile()) return { problem: 'marker missing', device: root.dev };
  if (recordedDevice !== null && root.dev !== recordedDevice) return { problem: 'device changed', device: root.dev };
  return { problem: null, device: root.dev };
}

export async function readRecordedDevice(stateDir: string): Promise<number | null> {
  const text = await readFile(path.join(stateDir, DEVICE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const device = Number(text.trim());
  return Number.isSafeInteger(device) ? device : null;
}

export async function recordDevice(stateDir: string, device: number): Promise<void> {
  await writeFile(path.join(stateDir, DEVICE_FILE), `${device}\n`).catch((err: unknown) => {
    throw fromSystemError(err, `write ${DEVICE_FILE}`);
  });
}

export async function createMarker(shareDir: string): Promise<void> {
  // wx: a marker that is there already (made by hand, copied) is left as it is.
  await writeFile(path.join(shareDir, MARKER_NAME), MARKER_TEXT, { flag: 'wx', mode: 0o644 }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fromSystemError(err, `create ${MARKER_NAME}`);
  });
}

/**
 * True when the share holds something besides the marker and a state folder
 * inside it: the state of an older leftsync (no marker yet) may then mark it.
 */
export async function hasContent(shareDir: string, stateDir: string): Promise<boolean> {
  const names = await readdir(shareDir).catch(() => [] as string[]);
  const stateRel = toRelativePath(path.resolve(shareDir), path.resolve(stateDir));
  const stateTop = stateRel?.split('/')[0];
  return names.some((name) => name !== MARKER_NAME && name !== stateTop);
}
