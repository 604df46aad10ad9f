/** The persistent index: openIndex() gives a SyncIndex over <stateDir>/index.db. */
export { openIndex, INDEX_FILE } from './sqlite-index.js';
export type * from './types.js';
