import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createLogger, setLogFormat, setLogLevel, setLogSink } from '../src/log.js';

describe('log', () => {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  afterEach(() => {
    lines.length = 0;
    setLogFormat('text');
    setLogLevel('info');
  });

  it('prints level, module, event and fields as text', () => {
    createLogger('scanner').info('scan.done', { files: 3, path: 'a b' });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /INFO  \[scanner\] scan\.done files=3 path="a b"$/);
  });

  it('drops lines under the threshold', () => {
    setLogLevel('warn');
    createLogger('x').info('quiet');
    createLogger('x').warn('loud');
    assert.equal(lines.length, 1);
  });

  it('prints one JSON object per line in json format', () => {
    setLogFormat('json');
    createLogger('transport').child('dial').warn('peer.lost', { peer: 'abc', err: new Error('gone') });
    const parsed = JSON.parse(lines[0]!);
    assert.equal(parsed.module, 'transport:dial');
    assert.equal(parsed.event, 'peer.lost');
    assert.equal(parsed.err.message, 'gone');
    setLogSink(previous);
    setLogSink((line) => lines.push(line));
  });
});
