/** --bwlimit values: what is accepted, what it means in bytes per second, and the sentence for the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteRate } from '../../src/cli/byte-rate.js';
import { LeftsyncError } from '../../src/errors.js';

test('K, M and G are 1024-based, case-insensitive, with an optional B or iB; a bare number is bytes; 0 is no limit', () => {
  const cases: Array<[string, number]> = [
    ['65536', 65536],
    ['500k', 500 * 1024],
    ['500K', 500 * 1024],
    ['10M', 10 * 1024 ** 2],
    ['10MiB', 10 * 1024 ** 2],
    ['10mb', 10 * 1024 ** 2],
    ['1.5M', 1.5 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['2048B', 2048],
    ['0', 0],
    ['0M', 0],
  ];
  for (const [value, bytes] of cases) assert.equal(parseByteRate(value), bytes, value);
});

test('anything else is LS_USAGE with the value and an example in the sentence', () => {
  for (const value of ['', 'fast', '10X', '-5', '1e6', '10 M B', '100', '0.5k', 'M']) {
    assert.throws(
      () => parseByteRate(value),
      (err: unknown) => err instanceof LeftsyncError && err.code === 'LS_USAGE' && err.message.includes(`"${value}"`) && /10M/.test(err.message),
      value,
    );
  }
});
