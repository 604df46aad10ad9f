/**
 * What end-to-end tests compare: a share's tree as rel path -> description, with
 * the full SHA-256 of every file (streamed, so 500 MiB files cost no memory), the
 * permission bits, and symlink targets. The state folder and the share marker
 * (each node's own, never synced) are left out.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

export const STATE_FOLDER = '.leftsync';
export const SHARE_MARKER = '.leftsync-share';

/** The state folder and the share marker are leftsync's own in a share root: never synced content. */
export function isLeftsyncOwn(name: string): boolean {
  return name === STATE_FOLDER || name === SHARE_MARKER;
}

/** rel path -> "file:<sha256>:<mode>" / "dir:<mode>" / "link:<target>". */
export type Tree = Record<string, string>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function treeOf(shareDir: string, rel = ''): Promise<Tree> {
  const out: Tree = {};
  for (const name of (await readdir(path.join(shareDir, rel))).sort()) {
    const child = rel ? `${rel}/${name}` : name;
    if (isLeftsyncOwn(child)) continue;
    const abs = path.join(shareDir, child);
    const stats = await lstat(abs);
    const mode = (stats.mode & 0o777).toString(8);
    if (stats.isSymbolicLink()) out[child] = `link:${await readlink(abs)}`;
    else if (stats.isDirectory()) {
      out[child] = `dir:${mode}`;
      Object.assign(out, await treeOf(shareDir, child));
    } else {
      // A small file read at once: a stream per file made five shares of 10,000 files slow to compare.
      const hash = stats.size < 1024 * 1024 ? createHash('sha256').update(await readFile(abs)).digest('hex') : await sha256File(abs);
      out[child] = `file:${hash}:${mode}`;
    }
  }
  return out;
}

/** The tree, or null while it changes under the walk (a file vanished mid-read). */
export async function treeOrNull(shareDir: string): Promise<Tree | null> {
  try {
    return await treeOf(shareDir);
  } catch {
    return null;
  }
}

/** The SHA-256 part of a tree value ("" for folders and links). */
export function hashOf(value: string | undefined): string {
  return value?.startsWith('file:') ? value.split(':')[1] : '';
}

/** Polls `check` every `everyMs` until it returns true; fails after a generous timeout. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Regular files in a share (leftsync's own left out): a readdir walk, no file read. */
export async function countFiles(shareDir: string, rel = ''): Promise<number> {
  let total = 0;
  const dirents = await readdir(path.join(shareDir, rel), { withFileTypes: true }).catch(() => []);
  for (const dirent of dirents) {
    const child = rel ? `${rel}/${dirent.name}` : dirent.name;
    if (isLeftsyncOwn(child)) continue;
    if (dirent.isDirectory()) total += await countFiles(shareDir, child);
    else if (dirent.isFile()) total += 1;
  }
  return total;
}

/**
 * Waits until every share holds at least `files` files, polling only their
 * listings: hashing five shares of 10,000 files ten times a second (as
 * waitForSameTrees does) would take the CPU the nodes need. Compare the trees after.
 */
export async function waitForFileCounts(shareDirs: string[], files: number, timeoutMs = 60_000): Promise<void> {
  let counts: number[] = [];
  try {
    await waitUntil(`${files} files in each share`, async () => {
      counts = await Promise.all(shareDirs.map((dir) => countFiles(dir)));
      return counts.every((n) => n >= files);
    }, timeoutMs, 500);
  } catch (err) {
    throw new Error(`${(err as Error).message} (files now: ${counts.join(', ')})`);
  }
}

export interface ConvergeOptions {
  timeoutMs?: number;
  /** The trees must stay equal this long (catches a late change flapping back). */
  stableMs?: number;
  /** When given, the common tree must also equal this one. */
  expected?: Tree;
}

/**
 * Waits until every share has the same tree (and the expected one, if given), and
 * returns it. On timeout the error shows how the trees differ.
 */
export async function waitForSameTrees(shareDirs: string[], options: ConvergeOptions = {}): Promise<Tree> {
  const { timeoutMs = 60_000, stableMs = 0, expected } = options;
  const deadline = Date.now() + timeoutMs;
  let equalSince = 0;
  let last: Array<Tree | null> = [];
  for (;;) {
    last = await Promise.all(shareDirs.map(treeOrNull));
    const first = last[0];
    const key = first && JSON.stringify(first);
    const same = first !== null && last.every((t) => t !== null && JSON.stringify(t) === key) && (!expected || JSON.stringify(expected) === key);
    if (same) {
      equalSince ||= Date.now();
      if (Date.now() - equalSince >= stableMs) return first;
    } else equalSince = 0;
    if (Date.now() > deadline) {
      throw new Error(`trees did not converge within ${timeoutMs} ms:\n${describeDifference(shareDirs, last, expected)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describeDifference(shareDirs: string[], trees: Array<Tree | null>, expected?: Tree): string {
  const all = new Set<string>();
  for (const t of [...trees, expected ?? null]) for (const key of Object.keys(t ?? {})) all.add(key);
  const lines: string[] = [];
  for (const key of [...all].sort()) {
    const values = trees.map((t) => t?.[key] ?? '-');
    if (expected) values.push(expected[key] ?? '-');
    if (new Set(values).size > 1) lines.push(`  ${key}: ${values.map((v) => v.slice(0, 24)).join(' | ')}`);
  }
  const header = `  (columns: ${shareDirs.join(' | ')}${expected ? ' | expected' : ''})`;
  return [header, ...lines.slice(0, 40)].join('\n');
}
