/**
 * The status endpoint: HTTP on 127.0.0.1 only, every request authenticated by
 * the token from the state folder (header `X-API-Key: TOKEN`, `Authorization:
 * Bearer TOKEN`, or `?token=TOKEN` for the page's address).
 *
 *   GET /                   the status page (src/status/page.html)
 *   GET /rest/status        NodeStatus as JSON
 *   GET /rest/events        events with id > since, long-polled:
 *       ?since=N            default 0
 *       ?timeout=S          seconds to wait when there is nothing newer (default 30, at most 120; 0 = answer at once)
 *       ?limit=N            most events per answer (default and at most EVENT_BUFFER_SIZE)
 *
 * Errors are JSON {error: {code, message}}: 401 LS_STATUS_UNAUTHORIZED, 404, 405.
 * The port is --gui-port (default 0: any free port); the port chosen is written
 * to <state>/status-port next to the token, so two nodes on one host never collide.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { EVENT_BUFFER_SIZE, type EventBus } from './events.js';
import { loadOrCreateToken, removePortFile, writePortFile } from './state-files.js';
import type { StatusTracker } from './tracker.js';

const log = createLogger('status');

export const STATUS_HOST = '127.0.0.1';
export const DEFAULT_EVENTS_TIMEOUT_S = 30;
export const MAX_EVENTS_TIMEOUT_S = 120;

/** dist/src/status/server.js -> src/status/page.html (tsc does not copy it; it ships with the package). */
const PAGE_URL = new URL('../../../src/status/page.html', import.meta.url);

export interface StatusServerOptions {
  stateDir: string;
  /** 0 = any free port. */
  port: number;
  bus: EventBus;
  tracker: StatusTracker;
}

export interface StatusServer {
  readonly port: number;
  readonly token: string;
  /** The page's address, token included. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const token = await loadOrCreateToken(options.stateDir);
  const expected = Buffer.from(token);
  const polls = new Set<AbortController>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.warn('status.request_failed', { url: req.url, err });
      if (!res.headersSent) sendJson(res, 500, { error: { code: ErrorCode.INTERNAL, message: 'internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${STATUS_HOST}`);
    if (!authorized(req, url, expected)) {
      sendJson(res, 401, { error: { code: ErrorCode.STATUS_UNAUTHORIZED, message: 'missing or wrong token: use the address `leftsync status --url` prints' } });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: { code: ErrorCode.USAGE, message: 'only GET is supported' } });
      return;
    }
    switch (url.pathname) {
      case '/':
      case '/index.html': {
        const page = await readFile(PAGE_URL);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
        res.end(page);
        return;
      }
      case '/rest/status':
        sendJson(res, 200, options.tracker.snapshot());
        return;
      case '/rest/events': {
        const since = intParam(url, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
        const timeoutS = intParam(url, 'timeout', DEFAULT_EVENTS_TIMEOUT_S, 0, MAX_EVENTS_TIMEOUT_S);
        const limit = intParam(url, 'limit', EVENT_BUFFER_SIZE, 1, EVENT_BUFFER_SIZE);
        const abort = new AbortController();
        polls.add(abort);
        // A client that goes away ends its wait.
        res.on('close', () => abort.abort());
        try {
          const events = await options.bus.wait(since, timeoutS * 1000, limit, abort.signal);
          if (!res.destroyed) sendJson(res, 200, events);
        } finally {
          polls.delete(abort);
        }
        return;
      }
      default:
        sendJson(res, 404, { error: { code: ErrorCode.BAD_INPUT, message: `no such resource: ${url.pathname}` } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, STATUS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    throw new LeftsyncError(ErrorCode.USAGE, `the status endpoint cannot listen on ${STATUS_HOST}:${options.port} (--gui-port): ${(err as Error).message}`, { cause: err });
  });
  const port = (server.address() as AddressInfo).port;
  await writePortFile(options.stateDir, port);
  const url = `http://${STATUS_HOST}:${port}/?token=${encodeURIComponent(token)}`;
  log.info('status.listening', { port, address: STATUS_HOST });
  return {
    port,
    token,
    url,
    async stop() {
      for (const poll of polls) poll.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removePortFile(options.stateDir, port);
    },
  };
}

function authorized(req: IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = req.headers['x-api-key'];
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = (typeof header === 'string' ? header : undefined) ?? bearer ?? url.searchParams.get('token');
  if (given === null || given === undefined) return false;
  const buf = Buffer.from(given);
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}

/** A bad or missing number falls back to the default; values are clamped to [min, max]. */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  const n = raw === null || raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end(text);
}
