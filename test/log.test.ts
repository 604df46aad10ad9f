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

  // A peer chooses file names; a name must not recolour, rewrite or reorder the
  // operator's terminal: C0 (ESC, CR, BS), DEL, C1 (CSI U+009B) and the bidi
  // overrides/isolates, plus the Unicode line separators.
  const hostile = 'a\x1b[31mred\r\x08\x7f\u009b2J\u202eevil\u2066\u2069\u200f\u061c\u2028\u2029.txt';
  const raw = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('text format escapes control and bidi characters, in fields and in error messages', () => {
    createLogger('m').info('file.synced', { path: hostile, err: new Error(`cannot open ${hostile}`), list: [hostile] });
    const line = lines[0]!;
    assert.doesNotMatch(line, raw);
    assert.ok(line.includes('path="a\\u001b[31mred\\r\\b\\u007f\\u009b2J\\u202eevil\\u2066\\u2069\\u200f\\u061c\\u2028\\u2029.txt"'), line);
  });

  it('a plain name stays unquoted; one with only a bidi override is quoted and escaped', () => {
    createLogger('m').info('e', { a: 'plain.txt', b: '\u202etxt.exe' });
    assert.match(lines[0]!, / a=plain\.txt b="\\u202etxt\.exe"$/);
  });

  it('json format escapes C1 and bidi characters too and still parses back to the same value', () => {
    setLogFormat('json');
    createLogger('m').info('file.synced', { path: hostile });
    assert.doesNotMatch(lines[0]!, raw);
    assert.equal(JSON.parse(lines[0]!).path, hostile);
  });
});
