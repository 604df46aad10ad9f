/**
 * A share with its state folder, index and scanner in a fresh temp folder: the
 * setup of every scanner test. close() closes the index and removes the folder.
 * scanFixtureEach() gives each test of a describe its own.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { chunkerParams } from '../../src/chunker/params.js';
import { openIndex } from '../../src/db/sqlite-index.js';
import type { SyncIndex } from '../../src/model/entries.js';
import { createScanLock } from '../../src/scanner/scan-lock.js';
import { createScanner } from '../../src/scanner/scanner.js';
import type { Scanner, ScannerOptions } from '../../src/scanner/scan-types.js';
import { guardOf } from './share.js';

export interface ScanFixture {
  base: string;
  share: string;
  stateDir: string;
  index: SyncIndex;
  scanner: Scanner;
  /** Writes `content` at the share-relative `rel`, its folders made first. */
  put(rel: string, content: string | Buffer): Promise<void>;
  /** Another scanner of this share, state folder and index (with a lock of its own), `more` options changed. */
  scannerWith(more: Partial<ScannerOptions>): Promise<Scanner>;
  close(): Promise<void>;
}

export async function scanFixture(prefix: string, more: Partial<ScannerOptions> = {}): Promise<ScanFixture> {
  const base = await mkdtemp(path.join(os.tmpdir(), prefix));
  const share = path.join(base, 'share');
  const stateDir = path.join(share, '.leftsync');
  await mkdir(stateDir, { recursive: true });
  const index = openIndex(stateDir, 'me');
  const scannerWith = async (options: Partial<ScannerOptions>): Promise<Scanner> =>
    createScanner({
      shareDir: share,
      stateDir,
      index,
      params: chunkerParams('fastcdc'),
      lock: createScanLock(),
      ...options,
      share: options.share ?? (await guardOf(share, stateDir)),
    });
  const scanner = await scannerWith(more);
  const close = async (): Promise<void> => {
    index.close();
    await rm(base, { recursive: true, force: true });
  };
  const put = async (rel: string, content: string | Buffer): Promise<void> => {
    await mkdir(path.dirname(path.join(share, rel)), { recursive: true });
    await writeFile(path.join(share, rel), content);
  };
  return { base, share, stateDir, index, scanner, put, scannerWith, close };
}

/**
 * Registers, in the enclosing describe, a fresh scanFixture(prefix) before each
 * test and its close() after; the returned function gives the running test's.
 */
export function scanFixtureEach(prefix: string): () => ScanFixture {
  let fixture: ScanFixture | undefined;
  beforeEach(async () => {
    fixture = await scanFixture(prefix);
  });
  afterEach(() => fixture?.close());
  return () => fixture!;
}
