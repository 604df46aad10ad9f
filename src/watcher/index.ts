/** Folder watch events debounced into rescan requests, plus the periodic full rescan. */
export { startWatcher } from './watcher.js';
export type { ShareWatcher, WatcherOptions } from './watcher.js';
export { createPathDebouncer } from './debounce.js';
export type { PathDebouncer } from './debounce.js';
export { sameAsIndexed } from './unchanged.js';
