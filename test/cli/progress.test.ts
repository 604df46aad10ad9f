/**
 * The CLI's progress bars, fed events by hand on a fake clock, drawn into a
 * fake stream: a bar appears for a transfer that has lasted over a second (two
 * at once for two), none for a short one, and nothing at all on a stream that
 * is not a TTY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferBars, formatSeconds, type BarStream } from '../../src/cli/progress.js';
import type { EventData, SyncEvent } from '../../src/status/events.js';

function fakeStream(isTTY: boolean, columns = 160): BarStream & { text: string } {
  const stream = {
    isTTY,
    columns,
    text: '',
    write(chunk: string | Uint8Array): boolean {
      stream.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    },
  };
  return stream as unknown as BarStream & { text: string };
}

let id = 0;
function event<T extends 'transfer.started' | 'transfer.progress' | 'transfer.ended'>(type: T, data: EventData[T]): SyncEvent {
  return { schema: 1, id: ++id, time: new Date(0).toISOString(), type, data } as SyncEvent;
}

const MB = 1e6;
const peer = 'peer-one';

function rig(isTTY: boolean, columns?: number) {
  const stream = fakeStream(isTTY, columns);
  let t = 0;
  const bars = new TransferBars({ stream, now: () => t });
  const at = (ms: number, e: SyncEvent): void => {
    t = ms;
    bars.handle(e);
  };
  return { stream, bars, at };
}

test('a transfer that lasts over a second gets a bar with its name, percent, MB/s and ETA; two run side by side', () => {
  const { stream, bars, at } = rig(true);
  at(0, event('transfer.started', { peer, path: 'videos/long.mkv', size: 100 * MB, bytesDone: 0 }));
  at(500, event('transfer.progress', { peer, path: 'videos/long.mkv', size: 100 * MB, bytesDone: 10 * MB }));
  assert.equal(bars.shown, 0, 'not before a second');
  assert.equal(stream.text, '');
  at(2000, event('transfer.progress', { peer, path: 'videos/long.mkv', size: 100 * MB, bytesDone: 40 * MB }));
  assert.equal(bars.shown, 1);
  bars.redraw();
  assert.match(stream.text, /videos\/long\.mkv +\|[█░]+\| +40% +20\.0 MB\/s ETA 3s/);

  at(2100, event('transfer.started', { peer, path: 'second.iso', size: 50 * MB, bytesDone: 0 }));
  at(3200, event('transfer.progress', { peer, path: 'second.iso', size: 50 * MB, bytesDone: 11 * MB }));
  at(3200, event('transfer.progress', { peer, path: 'videos/long.mkv', size: 100 * MB, bytesDone: 64 * MB }));
  assert.equal(bars.shown, 2, 'one bar per transfer, at once');
  stream.text = '';
  bars.redraw();
  assert.match(stream.text, /videos\/long\.mkv .* 64% /);
  assert.match(stream.text, /second\.iso .* 22% +10\.0 MB\/s ETA 4s/);

  at(4000, event('transfer.ended', { peer, path: 'videos/long.mkv', size: 100 * MB, bytesDone: 100 * MB, ok: true }));
  assert.equal(bars.shown, 1);
  at(4100, event('transfer.ended', { peer, path: 'second.iso', size: 50 * MB, bytesDone: 20 * MB, ok: false }));
  assert.equal(bars.shown, 0, 'the bars go with their transfers');
  bars.stop();
});

test('a transfer done within a second never shows a bar and writes nothing', () => {
  const { stream, bars, at } = rig(true);
  at(0, event('transfer.started', { peer, path: 'quick.txt', size: 5 * MB, bytesDone: 0 }));
  at(300, event('transfer.progress', { peer, path: 'quick.txt', size: 5 * MB, bytesDone: 2 * MB }));
  at(700, event('transfer.progress', { peer, path: 'quick.txt', size: 5 * MB, bytesDone: 4 * MB }));
  at(900, event('transfer.ended', { peer, path: 'quick.txt', size: 5 * MB, bytesDone: 5 * MB, ok: true }));
  // A late progress event of a finished transfer brings nothing back.
  at(5000, event('transfer.progress', { peer, path: 'quick.txt', size: 5 * MB, bytesDone: 5 * MB }));
  bars.redraw();
  assert.equal(bars.shown, 0);
  assert.equal(stream.text, '');
  bars.stop();
});

test('a stream that is not a TTY gets nothing, however long the transfer', () => {
  const { stream, bars, at } = rig(false);
  at(0, event('transfer.started', { peer, path: 'long.bin', size: 100 * MB, bytesDone: 0 }));
  for (let ms = 100; ms <= 10_000; ms += 100) at(ms, event('transfer.progress', { peer, path: 'long.bin', size: 100 * MB, bytesDone: ms * 10_000 }));
  bars.redraw();
  assert.equal(bars.shown, 0);
  at(10_100, event('transfer.ended', { peer, path: 'long.bin', size: 100 * MB, bytesDone: 100 * MB, ok: true }));
  bars.stop();
  assert.equal(stream.text, '');
});

test('on an 80-column terminal a long name is cut from the left and the ETA still fits', () => {
  const { stream, bars, at } = rig(true, 80);
  const name = 'a/very/long/folder/name/that/goes/on/and/on/file.bin';
  at(0, event('transfer.started', { peer, path: name, size: 100 * MB, bytesDone: 0 }));
  at(2000, event('transfer.progress', { peer, path: name, size: 100 * MB, bytesDone: 20 * MB }));
  bars.redraw();
  const visible = stream.text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const line = visible.split(/[\r\n]/).find((l) => l.includes('file.bin'))!;
  assert.match(line, /^….*\/file\.bin +\|[█░]+\| +20% +10\.0 MB\/s ETA 8s$/);
  assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  bars.stop();
});

test('ETA reads as seconds, minutes or hours', () => {
  assert.equal(formatSeconds(3.2), '4s');
  assert.equal(formatSeconds(125), '2m05s');
  assert.equal(formatSeconds(7300), '2h01m');
});
