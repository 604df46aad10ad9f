/**
 * WebSocket ping/pong liveness. Every `intervalMs` we ping; anything heard from
 * the peer (pong, ping, message) counts as alive. A peer silent for longer than
 * `timeoutMs` is declared dead: a killed host or a stopped process never closes
 * its TCP connection, so without this the link would look up forever.
 */
import type WebSocket from 'ws';
import type { LinkHealth } from './connection.js';

export interface LivenessOptions {
  intervalMs: number;
  timeoutMs: number;
  onDead: (silentMs: number) => void;
  /** Updated as the peer is heard and pings are answered. */
  health: LinkHealth;
}

/** Starts watching; returns the function that stops it. */
export function watchLiveness(ws: WebSocket, options: LivenessOptions): () => void {
  let lastHeard = Date.now();
  const heard = (): void => {
    lastHeard = Date.now();
    options.health.lastSeenMs = lastHeard;
  };
  // Each ping carries its send time; the peer's pong echoes it back.
  const pong = (data: Buffer): void => {
    heard();
    const sentAt = Number(data.toString('latin1'));
    if (data.length > 0 && Number.isFinite(sentAt) && sentAt <= lastHeard) options.health.rttMs = lastHeard - sentAt;
  };
  ws.on('pong', pong);
  ws.on('ping', heard);
  ws.on('message', heard);
  const period = Math.min(options.intervalMs, options.timeoutMs);
  let lastTick = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    // A late tick means our own event loop was blocked (a long synchronous
    // task); pongs may be waiting unread, so the peer is not to blame.
    if (now - lastTick > period + options.timeoutMs / 2) lastHeard = now;
    lastTick = now;
    const silent = now - lastHeard;
    if (silent > options.timeoutMs) {
      stop();
      options.onDead(silent);
      return;
    }
    if (ws.readyState === ws.OPEN) ws.ping(String(now));
  }, period);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    ws.off('pong', pong);
    ws.off('ping', heard);
    ws.off('message', heard);
  };
  ws.once('close', stop);
  return stop;
}
