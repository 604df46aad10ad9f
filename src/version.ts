/**
 * leftsync's version, read from package.json (the one place it is written), for
 * `leftsync --version` and the Hello a node sends.
 */
import { readFileSync } from 'node:fs';

// Compiled to dist/src/version.js: package.json is two folders up, in the package root.
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const LEFTSYNC_VERSION: string = manifest.version;
