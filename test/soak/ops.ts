/**
 * The soak's file operations on one peer's folder, as a user would do them,
 * each recorded in the ShareModel as "this peer showed SEEN at the path, the
 * operation left NOW". Operations go to the folder whether or not the peer's
 * process runs (a user keeps working; the startup scan finds the changes).
 * A step that fails because sync changed the folder under it (ENOENT, EEXIST,
 * ENOTEMPTY...) is skipped, and only the steps that happened are recorded.
 */
import { createHash } from 'node:crypto';
import { appendFile, lstat, mkdir, readFile, readdir, readlink, rename, rm, rmdir, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Seeded } from '../helpers/seeded.js';
import { ShareModel, isConflictPath, type Content } from '../helpers/share-model.js';
import { MiB, overwriteAt } from '../helpers/sync-node.js';
import { isLeftsyncOwn } from '../helpers/tree.js';

export const OPERATIONS = ['create', 'edit', 'append', 'truncate', 'rename', 'delete', 'mkdir', 'rmdir', 'swap'] as const;
export type Operation = (typeof OPERATIONS)[number];

export type Kind = 'file' | 'dir' | 'link';

/**
 * What is on one peer's disk, the state folder left out, and conflict copies too
 * unless `withConflicts` (operations do not pick them; moving a folder moves them).
 */
export async function listing(root: string, withConflicts = false, rel = '', out = new Map<string, Kind>()): Promise<Map<string, Kind>> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    // The state folder and the share marker are leftsync's, not the user's: no operation touches them.
    if (isLeftsyncOwn(child) || (!withConflicts && isConflictPath(child))) continue;
    if (entry.isSymbolicLink()) out.set(child, 'link');
    else if (entry.isDirectory()) {
      out.set(child, 'dir');
      await listing(root, withConflicts, child, out);
    } else if (entry.isFile()) out.set(child, 'file');
  }
  return out;
}

/** `rel` and everything below it on this peer's disk, conflict copies included, with what each holds. */
async function subtree(root: string, rel: string): Promise<Array<readonly [string, Content | null]>> {
  const below = [...(await listing(root, true)).keys()].filter((p) => p === rel || p.startsWith(`${rel}/`));
  return Promise.all(below.map(async (p) => [p, await contentAt(root, p)] as const));
}

/**
 * `seen` as the model names it: a conflict copy stands for the live content of
 * its original path, and is left out when it stands for none.
 */
function asRecorded(model: ShareModel, seen: Array<readonly [string, Content | null]>): Array<readonly [string, Content | null]> {
  return seen.flatMap(([p, content]) => {
    const original = content !== null && isConflictPath(p) ? model.originalOf(p, content) : null;
    return isConflictPath(p) && original === null ? [] : [[original ?? p, content] as const];
  });
}

/**
 * Records that the entries of `seen` left their paths (moved to `to` + the rest
 * of the path, or removed when `to` is null). A folder among them left as
 * `listed` showed it: what this peer listed at and below `from`, which defaults
 * to `seen` itself.
 */
function recordLeaving(model: ShareModel, seen: Array<readonly [string, Content | null]>, from: string, to: string | null, listed = asRecorded(model, seen)): void {
  const leaving = asRecorded(model, seen);
  for (const [p, content] of leaving) {
    model.replace(p, content, null);
    if (to !== null) model.replace(to + p.slice(from.length), null, content);
  }
  for (const [p, content] of leaving) if (content === 'dir') model.folderLeft(p, listed);
}

export function fileContent(bytes: Buffer): Content {
  return `file:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** What the peer shows at `rel` right now, in the model's form. */
export async function contentAt(root: string, rel: string): Promise<Content | null> {
  const abs = path.join(root, rel);
  const stats = await lstat(abs).catch(() => null);
  if (stats === null) return null;
  if (stats.isSymbolicLink()) return `link:${await readlink(abs).catch(() => '')}`;
  if (stats.isDirectory()) return 'dir';
  return fileContent(await readFile(abs).catch(() => Buffer.alloc(0)));
}

export interface OpContext {
  rng: Seeded;
  model: ShareModel;
  /** Writes whose file changed under them (sync replaced it within the same milliseconds). */
  onRace: (what: string) => void;
  /** Fresh names: never reused, so only type swaps and renames put a second content at a path. */
  freshName: (prefix: string) => string;
  /** Leave out the swap of a folder for a file (see test/soak/dir-becomes-file.test.ts). */
  noDirToFile?: boolean;
}

/** Random file sizes: mostly small; some MiB so that kills and cuts land in transfers. */
function size(rng: Seeded): number {
  return rng.chance(0.05) ? rng.int(1, 3) * MiB + rng.int(0, 9999) : rng.int(0, 20_000);
}

/**
 * The share as it is before the soak starts, on one peer only (the others get it
 * by syncing while the operations already run): a few folders, a few dozen files.
 */
export async function initialShare(root: string, rng: Seeded, model: ShareModel): Promise<number> {
  const dirs = ['docs', 'docs/old', 'media', 'src'];
  for (const dir of dirs) {
    await mkdir(path.join(root, dir));
    model.replace(dir, null, 'dir');
  }
  let count = 0;
  for (const folder of ['', ...dirs]) {
    for (let i = 0; i < 5; i++) {
      const rel = `${folder ? `${folder}/` : ''}initial-${count++}${rng.pick(['.txt', '.bin', ''])}`;
      const bytes = rng.bytes(size(rng));
      await writeFile(path.join(root, rel), bytes);
      model.replace(rel, null, fileContent(bytes));
    }
  }
  return count + dirs.length;
}

/**
 * Does one random operation on the peer whose share is `root`; returns a line for
 * the operations log, or null when the folder had nothing to do it on.
 */
export async function randomOperation(root: string, peer: string, ctx: OpContext, entries: Map<string, Kind>): Promise<{ op: Operation; line: string } | null> {
  const { rng, model } = ctx;
  const files = [...entries].filter(([, k]) => k === 'file').map(([p]) => p);
  const dirs = [...entries].filter(([, k]) => k === 'dir').map(([p]) => p);
  const crowded = entries.size > 150;
  const op = rng.weighted<Operation>({
    create: crowded ? 4 : 20, edit: 12, append: 8, truncate: 5, rename: 8, delete: crowded ? 20 : 8, mkdir: crowded ? 1 : 5, rmdir: crowded ? 8 : 3, swap: 8,
  });
  const folder = (): string => (dirs.length > 0 && rng.chance(0.6) ? `${rng.pick(dirs)}/` : '');
  const abs = (rel: string): string => path.join(root, rel);

  const writeNew = async (rel: string, seen: Content | null): Promise<void> => {
    const bytes = rng.bytes(size(rng));
    await writeFile(abs(rel), bytes);
    await recordWrite(rel, seen, bytes);
  };
  const recordWrite = async (rel: string, seen: Content | null, bytes: Buffer): Promise<void> => {
    const now = fileContent(bytes);
    model.replace(rel, seen, now);
    const after = await contentAt(root, rel);
    if (after !== now) ctx.onRace(`${peer} ${rel}: wrote ${now.slice(0, 17)}, read back ${after?.slice(0, 17) ?? 'nothing'}`);
  };
  /**
   * Removes `rel` and what lies below it as listed, deepest first, each folder
   * with a plain rmdir: what sync puts in a folder after the listing makes that
   * rmdir fail (ENOTEMPTY, the operation is skipped) instead of being removed
   * unseen. Each removal is recorded as of what this peer showed.
   */
  const removeTree = async (rel: string): Promise<void> => {
    const seen = (await subtree(root, rel)).sort(([a], [b]) => b.length - a.length);
    const listed = asRecorded(model, seen);
    for (const entry of seen) {
      if (entry[1] === 'dir') await rmdir(abs(entry[0]));
      else await unlink(abs(entry[0]));
      recordLeaving(model, [entry], rel, null, listed);
    }
  };

  if (op === 'create' || (files.length === 0 && ['edit', 'append', 'truncate', 'delete'].includes(op))) {
    const rel = `${folder()}${ctx.freshName(`f${peer}`)}${rng.pick(['.txt', '.bin', ''])}`;
    await writeNew(rel, null);
    return { op: 'create', line: `${peer} create ${rel}` };
  }
  if (op === 'edit' || op === 'append' || op === 'truncate') {
    const rel = rng.pick(files);
    const before = await readFile(abs(rel));
    const seen = fileContent(before);
    let after: Buffer;
    if (op === 'append') {
      const extra = rng.bytes(rng.int(1, 5000));
      await appendFile(abs(rel), extra);
      after = Buffer.concat([before, extra]);
    } else if (op === 'truncate') {
      const length = before.length === 0 ? 0 : rng.int(0, before.length - 1);
      await truncate(abs(rel), length);
      after = before.subarray(0, length);
    } else if (before.length > 0 && rng.chance(0.7)) {
      const offset = rng.int(0, before.length - 1);
      const patch = rng.bytes(Math.min(rng.int(1, 300), before.length - offset));
      await overwriteAt(abs(rel), offset, patch);
      after = Buffer.from(before);
      patch.copy(after, offset);
    } else {
      after = rng.bytes(size(rng));
      await writeFile(abs(rel), after);
    }
    await recordWrite(rel, seen, after);
    return { op, line: `${peer} ${op} ${rel} (${before.length} -> ${after.length} bytes)` };
  }
  if (op === 'rename') {
    const candidates = [...entries.keys()];
    const from = rng.pick(candidates);
    const targets = dirs.filter((d) => d !== from && !d.startsWith(`${from}/`));
    const parent = targets.length > 0 && rng.chance(0.5) ? `${rng.pick(targets)}/` : '';
    const to = `${parent}${ctx.freshName(`r${peer}`)}${entries.get(from) === 'file' ? path.extname(from) : ''}`;
    // Listed after the move: whatever sync put into a folder until the rename moved with it.
    await rename(abs(from), abs(to));
    const seen = (await subtree(root, to)).map(([p, content]) => [from + p.slice(to.length), content] as const);
    recordLeaving(model, seen, from, to);
    return { op, line: `${peer} rename ${from} -> ${to} (${seen.length} entries)` };
  }
  if (op === 'delete') {
    const links = [...entries].filter(([, k]) => k === 'link').map(([p]) => p);
    const rel = rng.pick([...files, ...links]);
    const seen = await contentAt(root, rel);
    await rm(abs(rel), { force: true });
    model.replace(rel, seen, null);
    return { op, line: `${peer} delete ${rel}` };
  }
  if (op === 'mkdir' || dirs.length === 0 && op === 'rmdir') {
    const rel = `${folder()}${ctx.freshName(`d${peer}`)}`;
    await mkdir(abs(rel));
    model.replace(rel, null, 'dir');
    return { op: 'mkdir', line: `${peer} mkdir ${rel}` };
  }
  if (op === 'rmdir') {
    const rel = rng.pick(dirs);
    const count = [...entries.keys()].filter((p) => p.startsWith(`${rel}/`)).length;
    await removeTree(rel);
    return { op, line: `${peer} rmdir ${rel} (${count} entries below)` };
  }
  // Type swap: the same name becomes another type.
  const swappable = [...entries].filter(([, k]) => !(ctx.noDirToFile && k === 'dir')).map(([p]) => p);
  if (swappable.length === 0) return null;
  const rel = rng.pick(swappable);
  const kind = entries.get(rel)!;
  const to: Kind = kind === 'file' ? rng.pick(['dir', 'link'] as const) : kind === 'dir' ? 'file' : rng.pick(['file', 'dir'] as const);
  await removeTree(rel);
  if (to === 'dir') {
    await mkdir(abs(rel));
    model.replace(rel, null, 'dir');
  } else if (to === 'link') {
    // Relative, inside the share: a sibling, or nothing at all (a dangling link is still a link).
    const siblings = [...entries.keys()].filter((p) => path.posix.dirname(p) === path.posix.dirname(rel) && p !== rel);
    const target = siblings.length > 0 && rng.chance(0.7) ? path.posix.basename(rng.pick(siblings)) : 'nowhere';
    await symlink(target, abs(rel));
    model.replace(rel, null, `link:${target}`);
  } else await writeNew(rel, null);
  return { op, line: `${peer} swap ${rel}: ${kind} -> ${to}` };
}
