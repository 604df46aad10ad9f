/** The one door into the share: path safety and every write. */
export { checkRelativePath, resolveSharePath, toRelativePath } from './paths.js';
export {
  atomicReplace,
  createSymlink,
  diskSteps,
  finishTempFile,
  makeDir,
  observedMtimeMs,
  removeEntry,
  renameToConflict,
  setAttributes,
  writeFileAtomic,
} from './write.js';
export type { ExpectedTarget, ReplaceOptions, ReplaceSteps } from './write.js';
