/**
 * Which share paths leftsync leaves alone: the state folder, editor and OS temp
 * files, and the user's `.leftsyncignore` (gitignore syntax, at the share root).
 * The user's rules come after the defaults, so `!*.tmp` brings .tmp files back;
 * no rule brings the state folder or the share marker back (stateFolderTest in
 * src/fs/paths.ts, MARKER_NAME in src/fs/share-marker.ts).
 * The scanner, the watcher and the sessions all ask this one matcher.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { fromSystemError } from '../errors.js';
import { stateFolderTest } from '../fs/paths.js';
import { MARKER_NAME } from '../fs/share-marker.js';

export const IGNORE_FILE = '.leftsyncignore';

/** Transient files no one wants synced: they would only produce noise and conflicts. */
export const DEFAULT_IGNORES = [
  '/.leftsync/', // the default state folder
  '*.swp', '*.swo', '*.swx', // vim swap files
  '4913', // vim's probe file when checking it may write a directory
  '*~', // backup files of emacs, vim, gedit...
  '.#*', // emacs lock links
  '.~lock.*#', // LibreOffice locks
  '~$*', // Microsoft Office owner files
  '*.tmp', // save-to-temp-then-rename writers
  '.goutputstream-*', // GIO's temp files (gedit, nautilus)
  '.DS_Store', '._*', 'Thumbs.db', 'desktop.ini', // OS metadata
];

/**
 * Answers kept before both caches start over. The ignore library keeps every
 * answer (and its parents') for the life of its instance: over a scan of 100,000
 * files or a peer announcing 500,000 entries that was tens of MB, so the
 * instance is rebuilt from the same rules when ours is cleared (rules compile in
 * well under a millisecond; a cache of this size still answers a folder's files).
 */
const CACHE_LIMIT = 4096;

/**
 * DEFAULT_IGNORES as one test of each path segment, for a share without rules of
 * its own (most shares): the ignore library costs 2-4 us a path once its answers
 * are cleared (CACHE_LIMIT), and a sync of 10,000 files asks about each path
 * three times or more. Same answers as the library with the defaults alone
 * (test/scanner/ignore.test.ts compares them): a rule without a slash matches a
 * name at any depth, and what is under an ignored folder is ignored; '/.leftsync/'
 * only a folder at the root; case is ignored, as the library does by default.
 */
function defaultsTest(): (relPath: string, isDir: boolean) => boolean {
  // A segment holds no '/': '*' is '.*' (flag s: a name may hold a newline). The rules
  // that start with '*' share one '.*' (a '[^/]*x' branch each rescanned the name: 4x slower).
  const glob = (rule: string) => rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const anyOf = (rules: string[]) => {
    const anchored = rules.filter((rule) => !rule.startsWith('*')).map(glob);
    const endings = rules.filter((rule) => rule.startsWith('*')).map((rule) => glob(rule.slice(1)));
    return new RegExp(`^(?:${[...anchored, ...(endings.length > 0 ? [`.*(?:${endings.join('|')})`] : [])].join('|')})$`, 'is');
  };
  const name = anyOf(DEFAULT_IGNORES.filter((rule) => !rule.includes('/')));
  // '/name/': a folder at the root (the only other form the defaults use).
  const rootFolder = anyOf(DEFAULT_IGNORES.filter((rule) => rule.includes('/')).map((rule) => rule.slice(1, -1)));
  return (relPath, isDir) => {
    const segments = relPath.split('/');
    if ((isDir || segments.length > 1) && rootFolder.test(segments[0]!)) return true;
    return segments.some((segment) => name.test(segment));
  };
}
const matchesDefaults = defaultsTest();

export interface IgnoreMatcher {
  /** True when `relPath` (share-relative, '/' separated) or one of its parents is ignored. */
  ignores(relPath: string, isDir: boolean): boolean;
  /** Re-reads .leftsyncignore; returns true when the rules changed. */
  reload(): Promise<boolean>;
}

/** `excludes` (leftsync --exclude) come last: a command-line exclusion is not undone by the file's `!` rules. */
export async function createIgnoreMatcher(shareDir: string, stateDir: string, excludes: readonly string[] = []): Promise<IgnoreMatcher> {
  const fixed = [...DEFAULT_IGNORES];
  const inStateFolder = stateFolderTest(shareDir, stateDir);

  let userRules: string | null = null;
  let defaultsOnly = false;
  const build = (): Ignore => ignore().add(fixed).add(userRules ?? '').add([...excludes]);
  let rules = build();
  const cache = new Map<string, boolean>();

  const matcher: IgnoreMatcher = {
    ignores(relPath, isDir) {
      if (inStateFolder(relPath) || relPath === MARKER_NAME) return true;
      if (defaultsOnly) return matchesDefaults(relPath, isDir);
      const key = isDir ? `${relPath}/` : relPath;
      let hit = cache.get(key);
      if (hit === undefined) {
        if (cache.size >= CACHE_LIMIT) {
          cache.clear();
          rules = build();
        }
        hit = rules.ignores(key);
        cache.set(key, hit);
      }
      return hit;
    },
    async reload() {
      let text = '';
      try {
        text = await readFile(path.join(shareDir, IGNORE_FILE), 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw fromSystemError(err, `read ${IGNORE_FILE}`);
      }
      if (text === userRules) return false;
      userRules = text;
      defaultsOnly = excludes.length === 0 && text.trim() === '';
      rules = build();
      cache.clear();
      return true;
    },
  };
  await matcher.reload();
  return matcher;
}
