/** Walks the share and records changes in the index. */
export { createScanner } from './scanner.js';
export type { Scanner, ScannerOptions, ScanResult } from './scanner.js';
export { createIgnoreMatcher, DEFAULT_IGNORES, IGNORE_FILE } from './ignore.js';
export type { IgnoreMatcher } from './ignore.js';
export { hashFile } from './hash.js';
