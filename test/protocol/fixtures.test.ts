import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { FIXTURE_DIR, fixturePath } from '../../fixtures/protocol/generate.js';
import { SAMPLE_FRAMES } from '../../fixtures/protocol/samples.js';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';

test('there is a fixture for every frame kind and no stray one', () => {
  const files = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.bin')).sort();
  assert.deepEqual(files, Object.keys(SAMPLE_FRAMES).map((kind) => `${kind}.bin`).sort());
});

for (const [kind, frame] of Object.entries(SAMPLE_FRAMES)) {
  test(`${kind}: encodes byte for byte to its fixture and decodes back`, () => {
    const golden = readFileSync(fixturePath(kind));
    assert.deepEqual(Buffer.from(encodeFrame(frame)), golden, `wire format of ${kind} changed; if intended, bump PROTOCOL_VERSION and regenerate`);
    assert.deepEqual(decodeFrame(new Uint8Array(golden)), frame);
  });
}
