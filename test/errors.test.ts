import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, fromSystemError, isErrorCode, LeftsyncError } from '../src/errors.js';

describe('errors', () => {
  it('codes are unique and prefixed LS_', () => {
    const codes = Object.values(ErrorCode);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^LS_[A-Z_]+$/);
  });

  it('recognises its own codes only', () => {
    assert.equal(isErrorCode('LS_UNSAFE_PATH'), true);
    assert.equal(isErrorCode('LS_NOPE'), false);
  });

  it('maps ENOSPC to LS_DISK_FULL and keeps the cause', () => {
    const cause = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
    const err = fromSystemError(cause, 'writing a.bin');
    assert.equal(err.code, ErrorCode.DISK_FULL);
    assert.equal(err.cause, cause);
    assert.match(err.message, /no space left/);
  });

  it('passes LeftsyncErrors through unchanged', () => {
    const original = new LeftsyncError(ErrorCode.UNSAFE_PATH, 'bad');
    assert.equal(fromSystemError(original, 'x'), original);
  });
});
